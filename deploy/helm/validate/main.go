// Command validate checks rendered Kubernetes manifests (multi-document YAML) against the Go types
// of the Kubernetes API, KEDA and the Prometheus Operator: strict typed decoding (unknown and
// duplicate fields, wrong types and quantities fail) plus the checks listed in checks_*.go that
// the API server or KEDA's webhook would make. It prints one JSON report and exits 1 on any problem.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/yaml"
)

const usage = `usage: validate [FILE...]

Reads multi-document YAML (rendered manifests) from the files, or from standard input without any,
and checks every object against the Go types of k8s.io/api, KEDA and the Prometheus Operator
(strict decoding: unknown or duplicate fields fail) and the checks the API server and KEDA's
admission webhook make on the fields this project uses. Prints a JSON report
{"schemas": {...}, "objects": [...], "problems": [...]} and exits 0 when there is no problem,
1 when there is one, 2 on a bad argument or unreadable input.
`

type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
}

type report struct {
	Schemas  map[string]string `json:"schemas"`
	Objects  []object          `json:"objects"`
	Problems []string          `json:"problems"`
}

func main() {
	for _, arg := range os.Args[1:] {
		if arg == "--help" || arg == "-h" {
			fmt.Print(usage)
			return
		}
		if strings.HasPrefix(arg, "-") {
			fmt.Fprintf(os.Stderr, "validate: unknown flag %s\n%s", arg, usage)
			os.Exit(2)
		}
	}
	input, err := readInputs(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "validate: %v\n", err)
		os.Exit(2)
	}
	result, err := validate(input)
	if err != nil {
		fmt.Fprintf(os.Stderr, "validate: %v\n", err)
		os.Exit(2)
	}
	out, _ := json.MarshalIndent(result, "", "  ")
	fmt.Println(string(out))
	if len(result.Problems) > 0 {
		os.Exit(1)
	}
}

func readInputs(paths []string) ([]byte, error) {
	if len(paths) == 0 {
		return io.ReadAll(os.Stdin)
	}
	var all bytes.Buffer
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		all.Write(data)
		all.WriteString("\n---\n")
	}
	return all.Bytes(), nil
}

func validate(input []byte) (*report, error) {
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	decoder := strictDecoder(scheme)
	result := &report{Schemas: moduleVersions(), Objects: []object{}, Problems: []string{}}
	var decoded []runtime.Object
	reader := yaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(input)))
	for index := 1; ; index++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", index, err)
		}
		if isBlank(doc) {
			continue
		}
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			result.Problems = append(result.Problems, fmt.Sprintf("document %d: not YAML: %v", index, err))
			continue
		}
		at := fmt.Sprintf("%s %s/%s", meta.APIVersion, meta.Kind, meta.Metadata.Name)
		result.Objects = append(result.Objects, object{meta.APIVersion, meta.Kind, meta.Metadata.Name})
		gv, err := schema.ParseGroupVersion(meta.APIVersion)
		if err != nil || meta.Kind == "" || !scheme.Recognizes(gv.WithKind(meta.Kind)) {
			result.Problems = append(result.Problems, fmt.Sprintf("%s: not a kind of the schemas checked (%s)", at, strings.Join(schemaModules, ", ")))
			continue
		}
		obj, _, err := decoder.Decode(doc, nil, nil)
		if err != nil {
			result.Problems = append(result.Problems, fmt.Sprintf("%s: %v", at, err))
			if obj == nil || !runtime.IsStrictDecodingError(err) {
				continue
			}
		}
		decoded = append(decoded, obj)
		for _, problem := range checkObject(obj) {
			result.Problems = append(result.Problems, fmt.Sprintf("%s: %s", at, problem))
		}
	}
	result.Problems = append(result.Problems, checkReferences(decoded)...)
	return result, nil
}

func isBlank(doc []byte) bool {
	for _, line := range strings.Split(string(doc), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed != "" && trimmed != "---" && !strings.HasPrefix(trimmed, "#") {
			return false
		}
	}
	return true
}

func moduleVersions() map[string]string {
	versions := map[string]string{}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return versions
	}
	for _, dep := range info.Deps {
		for _, name := range schemaModules {
			if dep.Path == name {
				versions[name] = dep.Version
			}
		}
	}
	return versions
}
