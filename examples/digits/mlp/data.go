package mlp

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// The shape of the digits data.
const (
	Features = 64 // an 8x8 image, row-major
	Classes  = 10 // the digits 0..9
	MaxPixel = 16 // features are pixel counts 0..MaxPixel
)

// Dataset is a set of examples: one row of X per example, its class in Y.
type Dataset struct {
	X *mat.Dense // len(Y) x Features, scaled to [0, 1]
	Y []int      // classes, 0..Classes-1
}

// Len is the number of examples.
func (d *Dataset) Len() int { return len(d.Y) }

// Data is a training set and a validation set.
type Data struct {
	Train, Val *Dataset
}

// Load reads the gzip'd CSV file at path; see Read.
func Load(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mlp: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("mlp: %s: %w", path, err)
	}
	d, err := Read(zr)
	if err != nil {
		return nil, fmt.Errorf("mlp: %s: %w", path, err)
	}
	return d, nil
}

// Read reads digits as CSV without a header: each row holds Features
// integers 0..MaxPixel, then the class 0..Classes-1. Features are scaled
// to [0, 1] by dividing by MaxPixel. A row of another shape or a value
// out of range is an error naming its line.
func Read(r io.Reader) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = Features + 1
	cr.ReuseRecord = true
	var x []float64
	var y []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		for i, s := range rec {
			v, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return nil, fmt.Errorf("line %d, column %d: %q is not an integer", line, i+1, s)
			}
			if i < Features {
				if v < 0 || v > MaxPixel {
					return nil, fmt.Errorf("line %d, column %d: pixel %d is outside 0..%d", line, i+1, v, MaxPixel)
				}
				x = append(x, float64(v)/MaxPixel)
				continue
			}
			if v < 0 || v >= Classes {
				return nil, fmt.Errorf("line %d: class %d is outside 0..%d", line, v, Classes-1)
			}
			y = append(y, v)
		}
	}
	if len(y) == 0 {
		return nil, errors.New("no examples")
	}
	return &Dataset{X: mat.NewDense(len(y), Features, x), Y: y}, nil
}

// Split splits d into a training set and a validation set holding about
// valFraction of each class (stratified), chosen by a shuffle seeded with
// seed: the same seed gives the same split. Keep the seed fixed across
// the trials of a search so that they are scored on the same examples.
func (d *Dataset) Split(valFraction float64, seed uint64) Data {
	rng := rand.New(rand.NewPCG(seed, 0x6469676974730a))
	byClass := make([][]int, Classes)
	for i, c := range d.Y {
		byClass[c] = append(byClass[c], i)
	}
	var train, val []int
	for _, idx := range byClass {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		nVal := int(valFraction*float64(len(idx)) + 0.5)
		val = append(val, idx[:nVal]...)
		train = append(train, idx[nVal:]...)
	}
	return Data{Train: d.subset(train), Val: d.subset(val)}
}

// subset copies the examples idx of d, in that order.
func (d *Dataset) subset(idx []int) *Dataset {
	s := &Dataset{Y: make([]int, len(idx))}
	if len(idx) == 0 {
		return s
	}
	s.X = mat.NewDense(len(idx), Features, nil)
	for i, j := range idx {
		s.X.SetRow(i, d.X.RawRowView(j))
		s.Y[i] = d.Y[j]
	}
	return s
}
