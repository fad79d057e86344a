// Command train learns the French sentiment weights (data/fr.weights) from
// the French train split in $TRIBUNE_SHARED_DIR/data/sentiment/fr. It never
// reads the validation split, on which the package's test measures the
// model. Run by `go generate ./internal/sentiment`.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/tribune-social/tribune/internal/sentiment"
)

// doc is one training text as features.
type doc struct {
	idx   []uint32 // unique buckets
	val   []float32
	dense [sentiment.Dense]float32
	y     int
	// fold keeps near-duplicates (retweets, the same headline shared
	// twice: 9% of the split) in the same cross-validation fold, else the
	// folds would reward memorising them.
	fold int
}

type params struct {
	lambda float64
	epochs int
	minDF  int
	bags   int
}

func main() {
	out := flag.String("o", "data/fr.weights", "weights file to write")
	grid := flag.Bool("grid", false, "search the regularisation and epochs by 5-fold cross-validation on the train split, and print the figures")
	var p params
	flag.Float64Var(&p.lambda, "lambda", 1e-2, "L2 penalty")
	flag.IntVar(&p.epochs, "epochs", 40, "passes over the train split")
	flag.IntVar(&p.minDF, "mindf", 2, "least number of train texts a feature bucket must occur in")
	flag.IntVar(&p.bags, "bags", 1, "models trained in different orders whose weights are averaged")
	flag.Parse()
	if err := run(*out, *grid, p); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, strings.TrimRight(sc.Text(), "\r"))
	}
	return out, sc.Err()
}

func run(out string, grid bool, best params) error {
	dir := os.Getenv("TRIBUNE_SHARED_DIR")
	if dir == "" {
		return fmt.Errorf("set TRIBUNE_SHARED_DIR to the shared data directory")
	}
	base := filepath.Join(dir, "data", "sentiment", "fr")
	texts, err := readLines(filepath.Join(base, "train_text.txt"))
	if err != nil {
		return err
	}
	labels, err := readLines(filepath.Join(base, "train_labels.txt"))
	if err != nil {
		return err
	}
	if len(texts) != len(labels) {
		return fmt.Errorf("%d texts but %d labels", len(texts), len(labels))
	}
	m := sentiment.NewUntrained()
	docs := make([]doc, len(texts))
	for i, t := range texts {
		var y int
		switch labels[i] {
		case "0":
			y = 0
		case "1":
			y = 1
		case "2":
			y = 2
		default:
			return fmt.Errorf("label %q on line %d", labels[i], i+1)
		}
		h, d := m.FrenchFeatures(t, nil)
		docs[i] = makeDoc(h, d, y)
		docs[i].fold = foldOf(t)
	}
	if grid {
		bestF := -1.0
		for _, minDF := range []int{2} {
			for _, lambda := range []float64{1e-3, 3e-3, 1e-2} {
				for _, epochs := range []int{10, 25, 40} {
					p := params{lambda, epochs, minDF, 1}
					f := crossValidate(docs, p)
					fmt.Printf("cv lambda=%g epochs=%d minDF=%d: macro-F1 %.4f\n", lambda, epochs, minDF, f)
					if f > bestF {
						bestF, best = f, p
					}
				}
			}
		}
	}
	fmt.Printf("5-fold cross-validation on the train split: macro-F1 %.4f\n", crossValidate(docs, best))
	w := train(docs, best).weights()
	fmt.Printf("lambda=%g epochs=%d minDF=%d bags=%d: %d buckets kept\n", best.lambda, best.epochs, best.minDF, best.bags, len(w.Hashed))
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := sentiment.WriteWeights(f, w); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// foldOf hashes the first 50 letters of t, lower-cased, to one of 5 folds.
func foldOf(t string) int {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(t) {
		if b.Len() >= 50 {
			break
		}
		if unicode.IsLetter(r) {
			b.WriteRune(r)
			space = false
		} else if !space && b.Len() > 0 {
			b.WriteByte(' ')
			space = true
		}
	}
	h := fnv.New32a()
	h.Write([]byte(strings.TrimSpace(b.String())))
	return int(h.Sum32() % 5)
}

func makeDoc(h []uint32, d [sentiment.Dense]float32, y int) doc {
	scale := sentiment.Scale(len(h))
	slices.Sort(h)
	var dc doc
	for i := 0; i < len(h); {
		j := i
		for j < len(h) && h[j] == h[i] {
			j++
		}
		dc.idx = append(dc.idx, h[i])
		dc.val = append(dc.val, float32(j-i)*scale)
		i = j
	}
	dc.dense, dc.y = d, y
	return dc
}

// lr is the model during training, dense over the buckets: float64 for
// stable sums; used marks the buckets that keep a weight (minDF).
type lr struct {
	bias  [3]float64
	dense [3][sentiment.Dense]float64
	w     []float64 // 3 per bucket
	used  []bool
}

func newLR() *lr {
	return &lr{w: make([]float64, 3*sentiment.Buckets), used: make([]bool, sentiment.Buckets)}
}

func (m *lr) probs(d *doc) [3]float64 {
	var z [3]float64
	for c := range 3 {
		z[c] = m.bias[c]
		for j := range sentiment.Dense {
			z[c] += m.dense[c][j] * float64(d.dense[j])
		}
	}
	for k, b := range d.idx {
		if m.used[b] {
			v := float64(d.val[k])
			w := m.w[3*b : 3*b+3]
			z[0] += w[0] * v
			z[1] += w[1] * v
			z[2] += w[2] * v
		}
	}
	mx := max(z[0], z[1], z[2])
	var p [3]float64
	s := 0.0
	for c := range 3 {
		p[c] = math.Exp(z[c] - mx)
		s += p[c]
	}
	for c := range 3 {
		p[c] /= s
	}
	return p
}

// train runs AdaGrad on the L2-regularised cross-entropy, in a fixed
// shuffled order so that the weights file is reproducible.
func train(docs []doc, p params) *lr {
	var avg *lr
	for seed := range uint64(max(p.bags, 1)) {
		m := trainOne(docs, p, seed)
		if avg == nil {
			avg = m
			continue
		}
		for c := range 3 {
			avg.bias[c] += m.bias[c]
			for j := range sentiment.Dense {
				avg.dense[c][j] += m.dense[c][j]
			}
		}
		for i := range avg.w {
			avg.w[i] += m.w[i]
		}
	}
	if k := float64(max(p.bags, 1)); k > 1 {
		for c := range 3 {
			avg.bias[c] /= k
			for j := range sentiment.Dense {
				avg.dense[c][j] /= k
			}
		}
		for i := range avg.w {
			avg.w[i] /= k
		}
	}
	return avg
}

func trainOne(docs []doc, p params, seed uint64) *lr {
	df := make([]int32, sentiment.Buckets)
	for i := range docs {
		for _, b := range docs[i].idx {
			df[b]++
		}
	}
	m := newLR()
	for b, n := range df {
		m.used[b] = int(n) >= p.minDF
	}
	g2 := make([]float64, 3*sentiment.Buckets)
	var gb [3]float64
	var gd [3][sentiment.Dense]float64
	const eta = 0.5
	rng := rand.New(rand.NewPCG(1, 2+seed))
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	for range p.epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			d := &docs[i]
			pr := m.probs(d)
			for c := range 3 {
				g := pr[c]
				if c == d.y {
					g--
				}
				gb[c] += g * g
				m.bias[c] -= eta * g / math.Sqrt(gb[c]+1e-8)
				for j := range sentiment.Dense {
					gj := g*float64(d.dense[j]) + p.lambda*m.dense[c][j]
					gd[c][j] += gj * gj
					m.dense[c][j] -= eta * gj / math.Sqrt(gd[c][j]+1e-8)
				}
				for k, b := range d.idx {
					if !m.used[b] {
						continue
					}
					at := 3*int(b) + c
					gj := g*float64(d.val[k]) + p.lambda*m.w[at]
					g2[at] += gj * gj
					m.w[at] -= eta * gj / math.Sqrt(g2[at]+1e-8)
				}
			}
		}
	}
	return m
}

// weights keeps the buckets whose weights matter at float32 precision.
func (m *lr) weights() *sentiment.Weights {
	out := &sentiment.Weights{Hashed: map[uint32][3]float32{}}
	for c := range 3 {
		out.Bias[c] = float32(m.bias[c])
		for j := range sentiment.Dense {
			out.Dense[c][j] = float32(m.dense[c][j])
		}
	}
	for b := range sentiment.Buckets {
		w := m.w[3*b : 3*b+3]
		if m.used[b] && (w[0] != 0 || w[1] != 0 || w[2] != 0) {
			out.Hashed[uint32(b)] = [3]float32{float32(w[0]), float32(w[1]), float32(w[2])}
		}
	}
	return out
}

// crossValidate returns the 5-fold macro-F1 of p on the train split, each
// text labelled with its most probable class as Analyze does.
func crossValidate(docs []doc, p params) float64 {
	const k = 5
	gold, pred := make([]int, len(docs)), make([]int, len(docs))
	for f := range k {
		var tr []doc
		for i := range docs {
			if docs[i].fold != f {
				tr = append(tr, docs[i])
			}
		}
		m := train(tr, p)
		for i := range docs {
			if docs[i].fold == f {
				pr := m.probs(&docs[i])
				b := 0
				for c := range 3 {
					if pr[c] > pr[b] {
						b = c
					}
				}
				gold[i], pred[i] = docs[i].y, b
			}
		}
	}
	return sentiment.MacroF1(gold, pred)
}
