package sentiment

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func sharedDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TRIBUNE_SHARED_DIR")
	if dir == "" {
		t.Skip("TRIBUNE_SHARED_DIR is not set: no shared sentiment data to measure accuracy on")
	}
	return filepath.Join(dir, "data", "sentiment")
}

type ratedText struct {
	mean float64
	text string
}

// readEnglishTweets reads VADER's tweet ground truth: id, mean human rating
// in [-4, 4], text; tab-separated, CRLF line ends.
func readEnglishTweets(t *testing.T, dir string) []ratedText {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "en", "tweets_GroundTruth.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []ratedText
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(strings.TrimRight(sc.Text(), "\r"), "\t", 3)
		if len(parts) != 3 {
			continue
		}
		m, err := strconv.ParseFloat(parts[1], 64)
		if err != nil {
			t.Fatalf("rating %q: %v", parts[1], err)
		}
		out = append(out, ratedText{m, parts[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var sx, sy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
	}
	mx, my := sx/n, sy/n
	var cov, vx, vy float64
	for i := range x {
		cov += (x[i] - mx) * (y[i] - my)
		vx += (x[i] - mx) * (x[i] - mx)
		vy += (y[i] - my) * (y[i] - my)
	}
	return cov / math.Sqrt(vx*vy)
}

func TestEnglishCorrelation(t *testing.T) {
	dir := sharedDir(t)
	tweets := readEnglishTweets(t, dir)
	if len(tweets) < 4000 {
		t.Fatalf("read %d tweets, want the whole set (4200)", len(tweets))
	}
	m := New()
	var got, want []float64
	for _, tw := range tweets {
		got = append(got, m.AnalyzeLang(tw.text, English).Score)
		want = append(want, tw.mean)
	}
	r := pearson(got, want)
	t.Logf("English tweets: Pearson r = %.4f over %d texts", r, len(tweets))
	if r < 0.85 {
		t.Errorf("Pearson r = %.4f, want ≥ 0.85", r)
	}
}

func readFrench(t *testing.T, dir, split string) ([]string, []int) {
	t.Helper()
	read := func(name string) []string {
		b, err := os.ReadFile(filepath.Join(dir, "fr", name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r", ""), "\n"), "\n")
	}
	texts, labels := read(split+"_text.txt"), read(split+"_labels.txt")
	if len(texts) != len(labels) {
		t.Fatalf("%s: %d texts, %d labels", split, len(texts), len(labels))
	}
	gold := make([]int, len(labels))
	for i, l := range labels {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 || n > 2 {
			t.Fatalf("%s label %d: %q", split, i+1, l)
		}
		gold[i] = n
	}
	return texts, gold
}

func classIndex(l Label) int {
	for i, c := range classes {
		if c == l {
			return i
		}
	}
	panic("unknown label " + string(l))
}

// TestFrenchValidation measures the French model on the validation split,
// which the weights generator never reads.
func TestFrenchValidation(t *testing.T) {
	dir := sharedDir(t)
	texts, gold := readFrench(t, dir, "val")
	m := New()
	pred := make([]int, len(texts))
	for i, tx := range texts {
		pred[i] = classIndex(m.AnalyzeLang(tx, French).Label)
	}
	f1 := MacroF1(gold, pred)
	t.Logf("French validation: macro-F1 = %.4f over %d texts", f1, len(texts))
	if f1 < 0.62 {
		t.Errorf("macro-F1 = %.4f, want ≥ 0.62", f1)
	}
}

// TestDetectSharedSets reports (and bounds) language detection accuracy on
// the French validation split and the English tweets.
func TestDetectSharedSets(t *testing.T) {
	dir := sharedDir(t)
	m := New()
	texts, _ := readFrench(t, dir, "val")
	fr := 0
	for _, tx := range texts {
		if m.Detect(tx) == French {
			fr++
		}
	}
	tweets := readEnglishTweets(t, dir)
	en := 0
	for _, tw := range tweets {
		if m.Detect(tw.text) == English {
			en++
		}
	}
	frAcc, enAcc := float64(fr)/float64(len(texts)), float64(en)/float64(len(tweets))
	t.Logf("language detection: French val %.4f (%d/%d), English tweets %.4f (%d/%d)", frAcc, fr, len(texts), enAcc, en, len(tweets))
	if frAcc < 0.95 || enAcc < 0.95 {
		t.Errorf("detection accuracy fr %.4f, en %.4f, want ≥ 0.95 each", frAcc, enAcc)
	}
}
