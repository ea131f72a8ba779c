package e2e_test

import (
	"cmp"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestSAMBuildsEveryFunction runs, for every function of template.yaml, what `sam build`
// runs for it (BuildMethod: makefile), the way aws-sam-cli and aws-lambda-builders'
// CustomMakeWorkflow do it:
//   - the source folder is CodeUri (functions/<name>/), the Makefile is the one in
//     ContextPath;
//   - the source folder is copied into a new, empty scratch folder, leaving out .git
//     and .aws-sam at any depth;
//   - `make --makefile <ContextPath>/Makefile build-<LogicalId>` runs in the scratch
//     folder, with ARTIFACTS_DIR set to an absolute folder that already exists.
//
// There is no go.mod in the scratch folder, which is what broke `sam build` when the
// recipe built relative to its working directory. It must leave a static, stripped
// Linux arm64 `bootstrap` in ARTIFACTS_DIR. No SAM CLI runs here: this is its
// contract, with the real make and go.
func TestSAMBuildsEveryFunction(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make on this machine")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	functions := samFunctions(t, filepath.Join(root, "template.yaml"))
	if len(functions) < 40 {
		t.Fatalf("%d functions in template.yaml", len(functions))
	}
	var wg sync.WaitGroup
	work := make(chan samFunction)
	for range 2 { // the machine's cores
		wg.Go(func() {
			for f := range work {
				samBuild(t, root, f)
			}
		})
	}
	for _, f := range functions {
		work <- f
	}
	close(work)
	wg.Wait()
}

// samFunction is what `sam build` reads of one AWS::Serverless::Function.
type samFunction struct {
	LogicalID string
	CodeURI   string
	Metadata  map[string]string
}

// samFunctions reads the functions of the template. Other Metadata keys change where
// SAM copies from or runs make (ProjectRootDirectory, WorkingDirectory): this test
// reproduces only the ones the template uses, so it refuses the others.
func samFunctions(t *testing.T, file string) []samFunction {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Resources map[string]struct {
			Type       string            `yaml:"Type"`
			Metadata   map[string]string `yaml:"Metadata"`
			Properties struct {
				CodeURI string `yaml:"CodeUri"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	var out []samFunction
	for id, res := range tmpl.Resources {
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		for key := range res.Metadata {
			if key != "BuildMethod" && key != "ContextPath" {
				t.Errorf("%s: Metadata %s, which this test does not reproduce", id, key)
			}
		}
		if res.Metadata["BuildMethod"] != "makefile" || res.Metadata["ContextPath"] == "" || res.Properties.CodeURI == "" {
			t.Errorf("%s: Metadata %v, CodeUri %q: want BuildMethod makefile, a ContextPath and a CodeUri",
				id, res.Metadata, res.Properties.CodeURI)
			continue
		}
		out = append(out, samFunction{LogicalID: id, CodeURI: res.Properties.CodeURI, Metadata: res.Metadata})
	}
	slices.SortFunc(out, func(a, b samFunction) int { return cmp.Compare(a.LogicalID, b.LogicalID) })
	return out
}

// samBuild builds one function as `sam build` does (TestSAMBuildsEveryFunction).
func samBuild(t *testing.T, root string, f samFunction) {
	scratch := t.TempDir()
	if err := copySource(filepath.Join(root, f.CodeURI), scratch); err != nil {
		t.Errorf("%s: copying %s: %v", f.LogicalID, f.CodeURI, err)
		return
	}
	artifacts := filepath.Join(t.TempDir(), f.LogicalID) // .aws-sam/build/<LogicalId>
	if err := os.Mkdir(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	makefile := filepath.Join(root, f.Metadata["ContextPath"], "Makefile")
	cmd := exec.Command("make", "--makefile", makefile, "build-"+f.LogicalID)
	cmd.Dir = scratch
	cmd.Env = append(os.Environ(), "ARTIFACTS_DIR="+artifacts)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s: make --makefile %s build-%s in a scratch copy of %s: %v\n%s",
			f.LogicalID, makefile, f.LogicalID, f.CodeURI, err, out)
		return
	}
	checkBootstrap(t, f.LogicalID, filepath.Join(artifacts, "bootstrap"))
}

// copySource copies the folder src into dst as aws-lambda-builders' CopySourceAction
// does: every file, following symbolic links, but no .git or .aws-sam at any depth.
func copySource(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == ".git" || e.Name() == ".aws-sam" {
			continue
		}
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		info, err := os.Stat(from) // follows links, as the builder's copy does
		if err != nil {
			return err
		}
		if info.IsDir() {
			if err := os.Mkdir(to, 0o755); err != nil {
				return err
			}
			if err := copySource(from, to); err != nil {
				return err
			}
			continue
		}
		if err := copyFile(from, to, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string, perm os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
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
