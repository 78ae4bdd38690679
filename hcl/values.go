package hcl

import (
	"fmt"
	"math"
	"math/big"

	"github.com/zclconf/go-cty/cty"

	"github.com/frameworm/frameworm/definition"
)

// maxExactInt is the largest magnitude below which every integer is exactly
// a float64 too; whole numbers beyond it are kept as float64.
const maxExactInt = 1 << 53

// goValue converts a known cty value into a plain config value (see package
// definition): objects and maps to map[string]any, tuples, lists and sets to
// []any, whole numbers up to 2^53 to int64, other numbers to float64. The
// path names the value in error messages.
func goValue(v cty.Value, path string) (any, error) {
	if !v.IsKnown() {
		return nil, fmt.Errorf("%s: value is not known", pathOr(path))
	}
	if v.IsNull() {
		return nil, nil
	}
	v, _ = v.Unmark()
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString(), nil
	case ty == cty.Bool:
		return v.True(), nil
	case ty == cty.Number:
		return goNumber(v.AsBigFloat(), path)
	case ty.IsObjectType() || ty.IsMapType():
		m := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			key := k.AsString()
			gv, err := goValue(e, definition.JoinPath(path, key))
			if err != nil {
				return nil, err
			}
			m[key] = gv
		}
		return m, nil
	case ty.IsTupleType() || ty.IsListType() || ty.IsSetType():
		l := make([]any, 0, v.LengthInt())
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			gv, err := goValue(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			l = append(l, gv)
		}
		return l, nil
	}
	return nil, fmt.Errorf("%s: values of type %s cannot be part of a config", pathOr(path), ty.FriendlyName())
}

func goNumber(f *big.Float, path string) (any, error) {
	if f.IsInf() {
		return nil, fmt.Errorf("%s: infinite numbers cannot be part of a config", pathOr(path))
	}
	if f.IsInt() {
		if i, acc := f.Int64(); acc == big.Exact && i <= maxExactInt && i >= -maxExactInt {
			return i, nil
		}
	}
	x, _ := f.Float64()
	if math.IsInf(x, 0) {
		return nil, fmt.Errorf("%s: %s is out of the range of a 64-bit float", pathOr(path), f.Text('g', 10))
	}
	return x, nil
}

func pathOr(path string) string {
	if path == "" {
		return "value"
	}
	return path
}
