// Command fwbigstate writes a large state for measuring fwapply by hand:
//
//	go run ./internal/bigstate/cmd/fwbigstate -dir=/tmp/big -trials=100000
//	cd /tmp/big && /usr/bin/time -v fwapply show -json >/dev/null
//	/usr/bin/time -v fwapply apply -auto-approve -var trials=100001
//
// The directory gets big.fw.hcl and frameworm.fwstate (package bigstate
// describes them).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/frameworm/frameworm/internal/bigstate"
)

func main() {
	o := bigstate.DefaultOptions
	dir := flag.String("dir", "", "directory to write into (required; created if needed; must hold no state yet)")
	flag.IntVar(&o.Trials, "trials", o.Trials, "trials in the state")
	flag.IntVar(&o.Appended, "appended", o.Appended, "last trials appended after the snapshot, two records each")
	flag.IntVar(&o.FailEvery, "fail-every", o.FailEvery, "every Nth trial failed (0: none)")
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: fwbigstate -dir=DIR [-trials=N] [-appended=N] [-fail-every=N]")
		os.Exit(2)
	}
	path, err := bigstate.Write(context.Background(), *dir, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fwbigstate:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}
