package state

import (
	"testing"
	"unsafe"
)

// dataPointer returns the data word of an interface value: equal for two
// values that share one boxed number.
func dataPointer(v any) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[1]
}

// TestParserSharesNumbers: a number that repeats (a trial's param in its
// config, a base-config value in every trial) is boxed once per parser,
// and its text is parsed without copying it to a string.
func TestParserSharesNumbers(t *testing.T) {
	var p parser
	payload := []byte(`{"serial":1,"put":{"search":"s","number":0,"status":"completed","attempts":1,` +
		`"params":{"training.lr":0.0123456,"training.seed":123456},"config":{"training":{"lr":0.0123456,"seed":123456,"warmup":0.1}}}}`)
	_, c, err := p.decodeRecord(payload)
	if err != nil {
		t.Fatal(err)
	}
	training := c.Put.Config["training"].(map[string]any)
	for _, k := range []string{"lr", "seed"} {
		param, inConfig := c.Put.Params["training."+k], training[k]
		if param != inConfig {
			t.Fatalf("%s: params has %v, config %v", k, param, inConfig)
		}
		if dataPointer(param) != dataPointer(inConfig) {
			t.Errorf("%s: params and config hold %v in two boxes, want one", k, param)
		}
	}
	// A second record reuses the boxes of the first.
	_, c2, err := p.decodeRecord(payload)
	if err != nil {
		t.Fatal(err)
	}
	warmup, warmup2 := training["warmup"], c2.Put.Config["training"].(map[string]any)["warmup"]
	if dataPointer(warmup) != dataPointer(warmup2) {
		t.Error("warmup: two records hold 0.1 in two boxes, want one")
	}
	text := []byte("0.0123456")
	if n := testing.AllocsPerRun(100, func() {
		p.data, p.pos = text, 0
		if _, err := p.number(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("parsing a number seen before allocates %v times, want 0", n)
	}
}
