package publish

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// txLog is a fake store whose transactions record what their functions
// wrote, kept only when the transaction commits.
type txLog struct {
	store.Store // nil: only InTxWith is used
	mu          sync.Mutex
	txs         int
	committed   []string
	entered     chan struct{} // receives once per transaction begun
	gate        chan struct{} // the first transaction waits for it
}

type fakeTx struct {
	store.Tx
	wrote *[]string
}

func (s *txLog) InTxWith(ctx context.Context, _ store.TxOptions, fn func(store.Tx) error) error {
	s.mu.Lock()
	s.txs++
	first := s.txs == 1
	s.mu.Unlock()
	s.entered <- struct{}{}
	if first {
		<-s.gate
	}
	var wrote []string
	if err := fn(fakeTx{wrote: &wrote}); err != nil {
		return err // rolled back: nothing of it is kept
	}
	s.mu.Lock()
	s.committed = append(s.committed, wrote...)
	s.mu.Unlock()
	return nil
}

func write(name string, fail bool) func(store.Tx) error {
	return func(tx store.Tx) error {
		w := tx.(fakeTx).wrote
		*w = append(*w, name)
		if fail {
			return errors.New("write of " + name + " refused")
		}
		return nil
	}
}

func TestTxGroupCommitsTogetherAndIsolatesAFailure(t *testing.T) {
	s := &txLog{entered: make(chan struct{}, 100), gate: make(chan struct{})}
	g := &txGroup{store: s}
	ctx := context.Background()
	errs := make([]error, 11)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = g.Do(ctx, groupRows{}, write("a0", false)) }()
	<-s.entered // the first transaction runs alone and waits at the gate
	for i := 1; i <= 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = g.Do(ctx, groupRows{}, write(fmt.Sprintf("a%d", i), i == 7)) }()
	}
	for deadline := time.Now().Add(5 * time.Second); g.pending() < 10; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d requests queued", g.pending())
		}
	}
	close(s.gate)
	wg.Wait()

	for i, err := range errs {
		if (i == 7) != (err != nil) {
			t.Errorf("request %d: error %v", i, err)
		}
	}
	// One transaction alone, one for the ten that waited (which fails on
	// a7), then each of the ten again on its own.
	if s.txs != 12 {
		t.Errorf("%d transactions, want 12", s.txs)
	}
	got := map[string]int{}
	for _, w := range s.committed {
		got[w]++
	}
	for i := 0; i <= 10; i++ {
		name := fmt.Sprintf("a%d", i)
		if want := map[bool]int{true: 0, false: 1}[i == 7]; got[name] != want {
			t.Errorf("%s committed %d times, want %d", name, got[name], want)
		}
	}

	// Without contention nothing waits: a lone request is its own group.
	s2 := &txLog{entered: make(chan struct{}, 100), gate: make(chan struct{})}
	close(s2.gate)
	g2 := &txGroup{store: s2}
	for i := 0; i < 3; i++ {
		if err := g2.Do(ctx, groupRows{}, write("b", false)); err != nil {
			t.Fatal(err)
		}
	}
	if s2.txs != 3 || len(s2.committed) != 3 {
		t.Errorf("three requests in a row: %d transactions, %d writes", s2.txs, len(s2.committed))
	}
	// A request whose context has ended is not run.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := g2.Do(done, groupRows{}, write("c", false)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v", err)
	}
}

func TestTxGroupWritesTheRowsOfAllItsItemsOnce(t *testing.T) {
	s := &txLog{entered: make(chan struct{}, 100), gate: make(chan struct{})}
	var mu sync.Mutex
	var writes []groupRows
	g := &txGroup{store: s, write: func(_ context.Context, tx store.Tx, r groupRows) error {
		mu.Lock()
		writes = append(writes, r)
		mu.Unlock()
		if slices.Contains(r.start, 99) {
			return errors.New("row 99 refused")
		}
		return nil
	}}
	ctx := context.Background()
	errs := make([]error, 6)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = g.Do(ctx, groupRows{start: []int64{0}}, nil) }()
	<-s.entered
	for i := 1; i <= 5; i++ {
		id := int64(i)
		if i == 3 {
			id = 99
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = g.Do(ctx, groupRows{start: []int64{id}, logs: []store.LogRow{{VariantID: id}}}, nil)
		}()
	}
	for deadline := time.Now().Add(5 * time.Second); g.pending() < 5; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d requests queued", g.pending())
		}
	}
	close(s.gate)
	wg.Wait()
	for i, err := range errs {
		if (i == 3) != (err != nil) {
			t.Errorf("request %d: error %v", i, err)
		}
	}
	// The lone first one, the five together (refused because of 99), then
	// each of the five alone.
	var got []string
	for _, w := range writes {
		slices.Sort(w.start)
		got = append(got, fmt.Sprintf("%v/%d", w.start, len(w.logs)))
	}
	want := "[[0]/0 [1 2 4 5 99]/5 [1]/1 [2]/1 [99]/1 [4]/1 [5]/1]"
	if fmt.Sprint(got[:2]) != "[[0]/0 [1 2 4 5 99]/5]" || len(got) != 7 {
		t.Errorf("writes %v, want %s (the alone ones in any order)", got, want)
	}
}

func TestLoaderSharesOneQuery(t *testing.T) {
	type row struct {
		id  int64
		seq int
	}
	var mu sync.Mutex
	var calls [][]int64
	gate := make(chan struct{})
	entered := make(chan struct{}, 10)
	fail := false
	l := &loader[row]{key: func(r row) int64 { return r.id }, fetch: func(_ context.Context, ids []int64) ([]row, error) {
		mu.Lock()
		calls = append(calls, ids)
		n := len(calls)
		mu.Unlock()
		entered <- struct{}{}
		if n == 1 {
			<-gate
		}
		if fail {
			return nil, errors.New("database gone")
		}
		var out []row
		for _, id := range ids {
			if id%10 == 0 {
				continue // does not exist
			}
			out = append(out, row{id, 1}, row{id, 0})
		}
		return out, nil
	}}
	ctx := context.Background()
	var wg sync.WaitGroup
	results := map[int][]row{}
	var rmu sync.Mutex
	load := func(i int, id int64) {
		defer wg.Done()
		rows, err := l.Load(ctx, id)
		if err != nil {
			t.Errorf("load %d: %v", id, err)
		}
		if len(rows) > 0 {
			rows[0].seq = 99 // a caller changing what it read
		}
		rmu.Lock()
		results[i] = rows
		rmu.Unlock()
	}
	wg.Add(1)
	go load(0, 1)
	<-entered
	ids := []int64{2, 3, 3, 10, 4}
	for i, id := range ids {
		wg.Add(1)
		go load(i+1, id)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		n := l.pending()
		if n == len(ids) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d loads queued", n)
		}
	}
	close(gate)
	wg.Wait()
	if len(calls) == 2 {
		slices.Sort(calls[1])
	}
	if len(calls) != 2 || fmt.Sprint(calls[1]) != "[2 3 4 10]" {
		t.Errorf("queries %v; want one alone, then one for the distinct waiting ids", calls)
	}
	for i, id := range append([]int64{1}, ids...) {
		rows := results[i]
		if id == 10 {
			if len(rows) != 0 {
				t.Errorf("missing id %d gave %v", id, rows)
			}
			continue
		}
		if len(rows) != 2 || rows[0].id != id || rows[1].id != id || rows[0].seq != 99 || rows[1].seq != 0 {
			t.Errorf("id %d gave %v", id, rows)
		}
	}
	// The two loads of id 3 each got their own copy.
	if &results[2][0] == &results[3][0] {
		t.Error("two callers share one slice")
	}

	fail = true
	if _, err := l.Load(ctx, 5); err == nil || err.Error() != "database gone" {
		t.Errorf("a failed query gave %v", err)
	}
}

func TestPaddedIDsComeInPowersOfTwo(t *testing.T) {
	for _, c := range []struct {
		in   []int64
		want string
	}{
		{nil, "[]"},
		{[]int64{7}, "[7]"},
		{[]int64{3, 1, 3}, "[1 3]"},
		{[]int64{5, 2, 9}, "[2 5 9 9]"},
		{[]int64{1, 2, 3, 4, 5}, "[1 2 3 4 5 5 5 5]"},
	} {
		got := padded(c.in)
		if fmt.Sprint(got) != c.want || (c.in == nil) != (got == nil) {
			t.Errorf("padded(%v) = %v, want %s", c.in, got, c.want)
		}
	}
	in := []int64{2, 1}
	padded(in)
	if in[0] != 2 {
		t.Error("padded sorted its argument in place")
	}
}

func TestClaimsAreAnsweredOnlyForWhatTheCommitWrote(t *testing.T) {
	row := func(v, seq int64, key string) store.CreatePublishPartsRow {
		return store.CreatePublishPartsRow{VariantID: v, Seq: seq, AttemptKey: key}
	}
	alone := &claim{variant: 1, n: 2, key: "k1"}    // wrote its post and its comment
	existed := &claim{variant: 2, n: 1, key: "k2"}  // its message was there already
	partly := &claim{variant: 3, n: 2, key: "k3"}   // one of two messages was there
	otherKey := &claim{variant: 4, n: 1, key: "k4"} // the message written holds another key
	raceA := &claim{variant: 5, n: 1, key: "a"}     // two runs of one job in one commit:
	raceB := &claim{variant: 5, n: 1, key: "b"}     // one row written, under a
	media := &claim{variant: 6, n: 1, key: ""}      // no key: messages written pending
	answerClaims([]*claim{alone, existed, partly, otherKey, raceA, raceB, media}, []store.CreatePublishPartsRow{
		row(1, 0, "k1"), row(1, 1, ""), row(3, 1, ""), row(4, 0, "other"), row(5, 0, "a"), row(6, 0, ""),
	})
	for name, c := range map[string]*claim{"alone": alone, "existed": existed, "partly": partly, "other key": otherKey, "race a": raceA, "race b": raceB, "media": media} {
		want := name == "alone" || name == "media"
		if c.written != want {
			t.Errorf("%s: written = %v, want %v", name, c.written, want)
		}
	}
}

// The variants published in one commit have their webhooks queued in it,
// each once, with one call (one read of the endpoints) per workspace: the
// lone first commit makes one call, the three that waited behind it (two
// in workspace 1, one in workspace 2) make two.
func TestGroupQueuesEveryVariantsWebhookOncePerWorkspace(t *testing.T) {
	s := &txLog{entered: make(chan struct{}, 100), gate: make(chan struct{})}
	type call struct {
		ws       int64
		variants []int64
	}
	var mu sync.Mutex
	var calls []call
	p := &Publisher{Now: time.Now, Webhooks: func(_ context.Context, tx store.Tx, ws int64, typ string, data []any) error {
		c := call{ws: ws}
		for _, d := range data {
			c.variants = append(c.variants, d.(VariantEvent).VariantID)
		}
		mu.Lock()
		calls = append(calls, c)
		mu.Unlock()
		w := tx.(fakeTx).wrote
		*w = append(*w, fmt.Sprintf("%s %v", typ, c.variants))
		return nil
	}}
	// No statement runs for rows that carry only events: the batches need
	// no store.
	p.batchOnce.Do(func() {})
	p.b = &batches{ids: distinct}
	g := &txGroup{store: s, write: p.writeGroup}
	published := func(ws, variant int64) groupRows {
		return groupRows{events: []variantEvent{{workspaceID: ws, typ: EventPublished, ev: VariantEvent{VariantID: variant}}}}
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = g.Do(ctx, published(1, 10), nil) }()
	<-s.entered
	for i, r := range []groupRows{published(1, 11), published(2, 21), published(1, 12)} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i+1] = g.Do(ctx, r, nil) }()
		// In this order: the group's calls follow the workspaces' order.
		for deadline := time.Now().Add(5 * time.Second); g.pending() < i+1; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("only %d requests queued", g.pending())
			}
		}
	}
	close(s.gate)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if s.txs != 2 {
		t.Fatalf("%d transactions, want 2 (the lone first, then the three together)", s.txs)
	}
	got := fmt.Sprint(calls)
	if want := "[{1 [10]} {1 [11 12]} {2 [21]}]"; got != want {
		t.Errorf("webhook calls %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(s.committed), "[post.published [10] post.published [11 12] post.published [21]]"; got != want {
		t.Errorf("committed %s, want %s", got, want)
	}
}
