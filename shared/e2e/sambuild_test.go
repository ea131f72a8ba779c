package e2e_test

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kittenasso/kittenasso/shared/local/apigateway"
)

// TestSAMBuildsEveryFunction runs, for every function of template.yaml, what SAM's
// makefile builder runs for `sam build` (BuildMethod: makefile, ContextPath: .):
// `make build-<LogicalId>` from the context path, with ARTIFACTS_DIR set. It must
// leave a static, stripped Linux arm64 `bootstrap` there. No SAM CLI runs here: this
// is its contract, as aws-lambda-builders' custom_make workflow carries it out.
func TestSAMBuildsEveryFunction(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make on this machine")
	}
	tmpl, err := apigateway.LoadTemplate("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Functions) < 40 {
		t.Fatalf("%d functions in template.yaml", len(tmpl.Functions))
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	work := make(chan string)
	for range 2 { // the machine's cores
		wg.Go(func() {
			for id := range work {
				artifacts := t.TempDir()
				cmd := exec.Command("make", "build-"+id)
				cmd.Dir = root
				cmd.Env = append(os.Environ(), "ARTIFACTS_DIR="+artifacts)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("make build-%s: %v\n%s", id, err, out)
					continue
				}
				checkBootstrap(t, id, filepath.Join(artifacts, "bootstrap"))
			}
		})
	}
	for _, f := range tmpl.Functions {
		work <- f.LogicalID
	}
	close(work)
	wg.Wait()
}

// checkBootstrap: a Linux arm64 executable with no interpreter (static) and no symbols.
func checkBootstrap(t *testing.T, id, path string) {
	f, err := elf.Open(path)
	if err != nil {
		t.Errorf("%s: no bootstrap: %v", id, err)
		return
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.Type != elf.ET_EXEC || f.OSABI != elf.ELFOSABI_NONE {
		t.Errorf("%s: bootstrap is %v %v, want a Linux arm64 executable", id, f.Machine, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s: bootstrap is dynamically linked: provided.al2023 would not run it", id)
		}
	}
	if f.Section(".symtab") != nil {
		t.Errorf("%s: bootstrap is not stripped", id)
	}
}
