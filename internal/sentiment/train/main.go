// Command train learns the French sentiment weights (data/fr.weights) from
// the French train split in $TRIBUNE_SHARED_DIR/data/sentiment/fr. It never
// reads the validation split, on which the package's test measures the
// model. Run by `go generate ./internal/sentiment`.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tribune-social/tribune/internal/sentiment"
)

// doc is one training text as features.
type doc struct {
	idx   []uint32 // unique buckets
	val   []float32
	dense [sentiment.Dense]float32
	y     int
}

type params struct {
	lambda float64
	epochs int
	minDF  int
}

func main() {
	out := flag.String("o", "data/fr.weights", "weights file to write")
	grid := flag.Bool("grid", false, "search the regularisation and epochs by 5-fold cross-validation on the train split, and print the figures")
	var p params
	flag.Float64Var(&p.lambda, "lambda", 1e-3, "L2 penalty")
	flag.IntVar(&p.epochs, "epochs", 25, "passes over the train split")
	flag.IntVar(&p.minDF, "mindf", 1, "least number of train texts a feature bucket must occur in")
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
	}
	if grid {
		bestF := -1.0
		for _, minDF := range []int{1, 2} {
			for _, lambda := range []float64{3e-4, 1e-3, 3e-3, 1e-2} {
				for _, epochs := range []int{10, 25} {
					p := params{lambda, epochs, minDF}
					f, th := crossValidate(docs, p)
					fmt.Printf("cv lambda=%g epochs=%d minDF=%d: macro-F1 %.4f (threshold %.2f)\n", lambda, epochs, minDF, f, th)
					if f > bestF {
						bestF, best = f, p
					}
				}
			}
		}
	}
	f1, th := crossValidate(docs, best)
	fmt.Printf("5-fold cross-validation on the train split: macro-F1 %.4f\n", f1)
	w := train(docs, best).weights()
	w.Threshold = float32(th)
	fmt.Printf("chosen lambda=%g epochs=%d minDF=%d threshold=%.2f, %d buckets kept\n", best.lambda, best.epochs, best.minDF, th, len(w.Hashed))
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
	rng := rand.New(rand.NewPCG(1, 2))
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

// crossValidate returns the 5-fold macro-F1 of p on the train split, and
// the neutral threshold on score = P(positive) − P(negative) that is best
// over the folds' predictions.
func crossValidate(docs []doc, p params) (float64, float64) {
	const k = 5
	probs := make([][3]float64, len(docs))
	for f := range k {
		var tr, te []doc
		var teIdx []int
		for i := range docs {
			if i%k == f {
				te = append(te, docs[i])
				teIdx = append(teIdx, i)
			} else {
				tr = append(tr, docs[i])
			}
		}
		m := train(tr, p)
		for j := range te {
			probs[teIdx[j]] = m.probs(&te[j])
		}
	}
	bestF, bestT := -1.0, 0.0
	for t := 0.0; t <= 0.6; t += 0.02 {
		var pred, gold []int
		for i := range docs {
			s := probs[i][2] - probs[i][0]
			c := 1
			if s >= t {
				c = 2
			} else if s <= -t {
				c = 0
			}
			pred = append(pred, c)
			gold = append(gold, docs[i].y)
		}
		if f := sentiment.MacroF1(gold, pred); f > bestF {
			bestF, bestT = f, t
		}
	}
	return bestF, bestT
}
