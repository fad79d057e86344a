package sentiment

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode"
	"unicode/utf8"
)

// French is scored by a multinomial logistic regression over hashed words
// (marked when they follow a negation), word pairs, character 2-to-5-grams,
// emojis, and dense features among which VADER's rules over the French
// lexicon, the strongest. The weights are learnt from the French
// train split only by `go generate` (internal/sentiment/train) and
// embedded as data/fr.weights.

// Buckets is the size of the hashed feature space of the French model.
const Buckets = 1 << 18

// Dense is the number of dense features FrenchFeatures returns.
const Dense = 12

const weightsMagic = "TRIBUNE-SENTIMENT-FR-2"

// classes are the French model's classes, in weight order (the label
// values 0, 1, 2 of the shared data).
var classes = [3]Label{Negative, Neutral, Positive}

// frenchModel holds the learnt weights: class-major dense weights and a
// bucket-major [Buckets][3] table.
type frenchModel struct {
	bias   [3]float32
	dense  [3][Dense]float32
	hashed []float32 // len 3*Buckets
}

// Weights is what the generator writes and New reads.
type Weights struct {
	Bias   [3]float32
	Dense  [3][Dense]float32
	Hashed map[uint32][3]float32
}

// WriteWeights encodes w compactly (gzip of little-endian records).
func WriteWeights(out io.Writer, w *Weights) error {
	zw, err := gzip.NewWriterLevel(out, gzip.BestCompression)
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	var buf bytes.Buffer
	buf.WriteString(weightsMagic)
	_ = binary.Write(&buf, le, w.Bias)
	_ = binary.Write(&buf, le, w.Dense)
	_ = binary.Write(&buf, le, uint32(len(w.Hashed)))
	// Increasing bucket order keeps the file reproducible.
	for b := uint32(0); b < Buckets; b++ {
		v, ok := w.Hashed[b]
		if !ok {
			continue
		}
		_ = binary.Write(&buf, le, b)
		_ = binary.Write(&buf, le, v)
	}
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return err
	}
	return zw.Close()
}

func readWeights(b []byte) (*frenchModel, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	r := bytes.NewReader(raw)
	magic := make([]byte, len(weightsMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != weightsMagic {
		return nil, errors.New("not a French weights file")
	}
	fm := &frenchModel{hashed: make([]float32, 3*Buckets)}
	le := binary.LittleEndian
	var n uint32
	for _, v := range []any{&fm.bias, &fm.dense, &n} {
		if err := binary.Read(r, le, v); err != nil {
			return nil, err
		}
	}
	// The records are read by hand: binary.Read's reflection would make
	// this most of New's time.
	rest := raw[len(raw)-r.Len():]
	const rec = 4 + 3*4
	if uint64(len(rest)) != uint64(n)*rec {
		return nil, fmt.Errorf("%d bytes of records for %d buckets", len(rest), n)
	}
	for i := 0; i < len(rest); i += rec {
		b := le.Uint32(rest[i:])
		if b >= Buckets {
			return nil, fmt.Errorf("bucket %d out of range", b)
		}
		for c := range 3 {
			fm.hashed[3*b+uint32(c)] = math.Float32frombits(le.Uint32(rest[i+4+4*c:]))
		}
	}
	return fm, nil
}

// fnv-1a, 32 bits, continued over several pieces.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func fnvString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

// Feature kinds seed the hash so that the word "pas" and the trigram "pas"
// land apart.
const (
	kindWord = iota + 1
	kindNegWord
	kindBigram
	kindChar
	kindEmoji
)

func seed(kind byte) uint32 { return (fnvOffset ^ uint32(kind)) * fnvPrime }

// frScratch holds the buffers of one French feature extraction.
type frScratch struct {
	low    []byte
	words  []string
	hashed []uint32
}

// FrenchFeatures appends to hashed the buckets of text's sparse features
// (each present feature once per occurrence) and returns its dense
// features. It is exported for the weights generator, which must see
// exactly what Analyze sees.
func (m *Model) FrenchFeatures(text string, hashed []uint32) ([]uint32, [Dense]float32) {
	sc := m.pool.Get().(*scratch)
	defer m.pool.Put(sc)
	sc.fr.hashed = hashed
	d := m.frenchFeatures(sc, text)
	hashed = sc.fr.hashed
	sc.fr.hashed = nil
	return hashed, d
}

func (m *Model) frenchFeatures(sc *scratch, text string) [Dense]float32 {
	fs := &sc.fr
	var d [Dense]float32
	sc.tokens = sc.tokens[:0]
	m.fr.tokenize(sc, text, m.fr.emojis)
	pos, neg, maxPos, maxNeg, emoji := 0.0, 0.0, 0.0, 0.0, 0.0
	negation := false
	capDiff := capsDifferential(sc.tokens)
	for i := range sc.tokens {
		t := &sc.tokens[i]
		v := m.fr.valenceCaps(sc.tokens, i, capDiff)
		if v > 0 {
			pos += v
			maxPos = max(maxPos, v)
		} else {
			neg -= v
			maxNeg = max(maxNeg, -v)
		}
		if r, _ := utf8.DecodeRuneInString(t.raw); isEmoji(r) {
			emoji += v
		}
		negation = negation || m.fr.negate[t.low]
	}
	// The lexicon's evidence is the strongest the model has (alone it
	// reaches a macro-F1 of 0.61 in cross-validation, the n-grams 0.57);
	// scaling it up lets it through the regularisation that tames the
	// thousands of sparse features.
	const lex = 4
	d[0] = lex * float32(m.fr.compound(sc, text))
	d[1] = lex * float32(normalize(pos))
	d[2] = lex * float32(normalize(neg))
	d[3] = lex * float32(m.en.polarity(sc, text))
	d[4] = float32(min(countByte(text, '!'), 3)) / 3
	d[5] = float32(min(countByte(text, '?'), 3)) / 3
	d[6] = 1 // a bias the L2 penalty also shrinks
	d[7] = float32(min(utf8.RuneCountInString(text), 280)) / 280
	d[8] = lex * float32(normalize(emoji))
	d[9] = lex * float32(maxPos) / 4
	d[10] = lex * float32(maxNeg) / 4
	if negation {
		d[11] = 1
	}

	// Lower-case letters, digits, '#' and '@'; anything else is one space.
	fs.low = fs.low[:0]
	space := true
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '#' || r == '@':
			fs.low = utf8.AppendRune(fs.low, unicode.ToLower(r))
			space = false
		case isEmoji(r):
			fs.hashed = append(fs.hashed, fnvString(seed(kindEmoji), string(r))%Buckets)
			if !space {
				fs.low = append(fs.low, ' ')
				space = true
			}
		default:
			if !space {
				fs.low = append(fs.low, ' ')
				space = true
			}
		}
	}
	low := string(fs.low)
	fs.words = fs.words[:0]
	start := -1
	for i := 0; i <= len(low); i++ {
		if i == len(low) || low[i] == ' ' {
			if start >= 0 {
				fs.words = append(fs.words, low[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	negLeft := 0
	prev := "<s>"
	for _, w := range fs.words {
		kind := byte(kindWord)
		if negLeft > 0 {
			kind = kindNegWord
			negLeft--
		}
		if m.fr.negate[w] || w == "n" {
			negLeft = 3
		}
		fs.hashed = append(fs.hashed, fnvString(seed(kind), w)%Buckets)
		h := fnvString(seed(kindBigram), prev)
		h = fnvString(h, " ")
		fs.hashed = append(fs.hashed, fnvString(h, w)%Buckets)
		prev = w
	}
	// Character n-grams over " words " bridge spelling variants and
	// hashtags glued together ("#honteux", "#greenwashing").
	padded := " " + low + " "
	for n := 2; n <= 5; n++ {
		for i := 0; i+n <= len(padded); i++ {
			if !utf8.RuneStart(padded[i]) || (i+n < len(padded) && !utf8.RuneStart(padded[i+n])) {
				continue
			}
			fs.hashed = append(fs.hashed, fnvString(seed(kindChar), padded[i:i+n])%Buckets)
		}
	}
	return d
}

func countByte(s string, c byte) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
		}
	}
	return n
}

// Scale is the value of each sparse feature occurrence: 1/sqrt(count), so
// that long and short texts weigh alike (the generator uses it too).
func Scale(n int) float32 {
	if n == 0 {
		return 0
	}
	return float32(1 / math.Sqrt(float64(n)))
}

// frenchProbs returns the class probabilities of text.
func (m *Model) frenchProbs(sc *scratch, text string) [3]float64 {
	fs := &sc.fr
	fs.hashed = fs.hashed[:0]
	d := m.frenchFeatures(sc, text)
	fm := m.frModel
	var z [3]float64
	scale := Scale(len(fs.hashed))
	for c := range 3 {
		acc := fm.bias[c]
		for j := range Dense {
			acc += fm.dense[c][j] * d[j]
		}
		z[c] = float64(acc)
	}
	var s [3]float32
	for _, b := range fs.hashed {
		w := fm.hashed[3*b : 3*b+3]
		s[0] += w[0]
		s[1] += w[1]
		s[2] += w[2]
	}
	for c := range 3 {
		z[c] += float64(s[c] * scale)
	}
	return softmax(z)
}

func softmax(z [3]float64) [3]float64 {
	mx := max(z[0], z[1], z[2])
	var p [3]float64
	sum := 0.0
	for c := range 3 {
		p[c] = math.Exp(z[c] - mx)
		sum += p[c]
	}
	for c := range 3 {
		p[c] /= sum
	}
	return p
}

// MacroF1 is the mean over the three classes (0, 1, 2) of the F1 score of
// pred against gold; the generator and the accuracy test both use it.
func MacroF1(gold, pred []int) float64 {
	var tp, fp, fn [3]float64
	for i := range gold {
		if gold[i] == pred[i] {
			tp[gold[i]]++
		} else {
			fp[pred[i]]++
			fn[gold[i]]++
		}
	}
	sum := 0.0
	for c := range 3 {
		if d := 2*tp[c] + fp[c] + fn[c]; d > 0 {
			sum += 2 * tp[c] / d
		}
	}
	return sum / 3
}
