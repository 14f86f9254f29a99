// Package kubernetes holds the Kubernetes manifests of a Geneva cluster
// deployment (docs/operating.md "Cluster"); its test decodes them strictly.
package kubernetes

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/genevahub/geneva/hub"
)

// kinds are the API types the manifests may use, by apiVersion and kind.
var kinds = map[string]func() any{
	"v1/ConfigMap":             func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                func() any { return &corev1.Secret{} },
	"v1/Service":               func() any { return &corev1.Service{} },
	"v1/PersistentVolumeClaim": func() any { return &corev1.PersistentVolumeClaim{} },
	"apps/v1/Deployment":       func() any { return &appsv1.Deployment{} },
	"apps/v1/StatefulSet":      func() any { return &appsv1.StatefulSet{} },
	"policy/v1/PodDisruptionBudget": func() any {
		return &policyv1.PodDisruptionBudget{}
	},
}

// object is one decoded manifest document.
type object struct {
	where string // file#document
	kind  string
	name  string
	value any
}

// decodeAll decodes every document of every *.yaml here into its API type,
// refusing unknown fields, duplicate keys and unknown kinds.
func decodeAll(t *testing.T) []object {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var out []object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range splitDocuments(data) {
			where := fmt.Sprintf("%s#%d", f, i+1)
			obj, err := decode(doc)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			obj.where = where
			out = append(out, obj)
		}
	}
	return out
}

func decode(doc []byte) (object, error) {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return object{}, err
	}
	mk, ok := kinds[head.APIVersion+"/"+head.Kind]
	if !ok {
		return object{}, fmt.Errorf("%s %s: not a kind these manifests use", head.APIVersion, head.Kind)
	}
	// As the API server's strict decoding: YAML without duplicate keys to
	// JSON, then field names matched case-sensitively, unknown ones refused.
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return object{}, fmt.Errorf("%s %s: %w", head.Kind, head.Metadata.Name, err)
	}
	v := mk()
	strict, err := kjson.UnmarshalStrict(js, v, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err = errors.Join(append(strict, err)...); err != nil {
		return object{}, fmt.Errorf("%s %s: %w", head.Kind, head.Metadata.Name, err)
	}
	return object{kind: head.Kind, name: head.Metadata.Name, value: v}, nil
}

// splitDocuments splits a YAML stream at its "---" lines, dropping empty
// documents (comments only).
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	for _, d := range bytes.Split(append([]byte("\n"), data...), []byte("\n---\n")) {
		if strings.TrimSpace(stripComments(string(d))) != "" {
			docs = append(docs, d)
		}
	}
	return docs
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func TestManifestsDecodeStrictly(t *testing.T) {
	objs := decodeAll(t)
	if len(objs) < 10 {
		t.Fatalf("decoded %d manifests, want the NATS, hub, bridge and secret ones", len(objs))
	}
}

// A typo in a field name fails the decoding: the check that guards every
// manifest above.
func TestTypoIsRefused(t *testing.T) {
	data, err := os.ReadFile("hub.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, typo := range []struct{ from, to string }{
		{"readinessProbe:", "readynessProbe:"},
		{"replicas: 2", "replica: 2"},
		{"containerPort: 8080", "containerport: 8080"},
	} {
		bad := bytes.Replace(data, []byte(typo.from), []byte(typo.to), 1)
		if bytes.Equal(bad, data) {
			t.Fatalf("hub.yaml has no %q", typo.from)
		}
		var failed bool
		for _, doc := range splitDocuments(bad) {
			if _, err := decode(doc); err != nil {
				failed = true
				if !strings.Contains(err.Error(), "unknown field") {
					t.Errorf("%s: %v, want an unknown field", typo.to, err)
				}
			}
		}
		if !failed {
			t.Errorf("%q decoded without error", typo.to)
		}
	}
}

// Every pod is sized and probed, and every Secret and ConfigMap it mounts
// is one of the manifests.
func TestPodsAreSizedProbedAndComplete(t *testing.T) {
	objs := decodeAll(t)
	have := map[string]bool{}
	for _, o := range objs {
		have[o.kind+"/"+o.name] = true
	}
	for _, o := range objs {
		var pod corev1.PodSpec
		switch v := o.value.(type) {
		case *appsv1.Deployment:
			pod = v.Spec.Template.Spec
		case *appsv1.StatefulSet:
			pod = v.Spec.Template.Spec
		default:
			continue
		}
		for _, c := range pod.Containers {
			if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
				t.Errorf("%s %s: container %s has no cpu and memory requests", o.where, o.name, c.Name)
			}
			if c.LivenessProbe == nil {
				t.Errorf("%s %s: container %s has no liveness probe", o.where, o.name, c.Name)
			}
		}
		for _, v := range pod.Volumes {
			switch {
			case v.Secret != nil && !have["Secret/"+v.Secret.SecretName]:
				t.Errorf("%s %s: volume %s names Secret %s, not in the manifests", o.where, o.name, v.Name, v.Secret.SecretName)
			case v.ConfigMap != nil && !have["ConfigMap/"+v.ConfigMap.Name]:
				t.Errorf("%s %s: volume %s names ConfigMap %s, not in the manifests", o.where, o.name, v.Name, v.ConfigMap.Name)
			case v.PersistentVolumeClaim != nil && !have["PersistentVolumeClaim/"+v.PersistentVolumeClaim.ClaimName]:
				t.Errorf("%s %s: volume %s names claim %s, not in the manifests", o.where, o.name, v.Name, v.PersistentVolumeClaim.ClaimName)
			}
		}
	}
}

// The hub's and the bridge's files in the ConfigMaps are valid Geneva
// settings: only the files they name (mounted in the pod) are missing here.
func TestGenevaSettingsInConfigMaps(t *testing.T) {
	load := map[string]func(string) error{
		"hub.yaml":     func(p string) error { c, err := hub.LoadConfig(p); return withWarnings(err, c.Warnings) },
		"archive.yaml": func(p string) error { c, err := hub.LoadArchiveConfig(p); return withWarnings(err, c.Warnings) },
	}
	checked := 0
	for _, o := range decodeAll(t) {
		cm, ok := o.value.(*corev1.ConfigMap)
		if !ok {
			continue
		}
		for key, data := range cm.Data {
			check, ok := load[key]
			if !ok {
				continue
			}
			checked++
			file := filepath.Join(t.TempDir(), key)
			if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			err := check(file)
			if err == nil {
				continue
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.Contains(line, "no such file or directory") {
					t.Errorf("ConfigMap %s, %s: %s", cm.Name, key, line)
				}
			}
		}
	}
	if checked != len(load) {
		t.Errorf("checked %d Geneva settings files, want %d", checked, len(load))
	}
}

// withWarnings counts a warning (an old spelling) as a problem: the
// examples show the spelling of today.
func withWarnings(err error, warnings []string) error {
	for _, w := range warnings {
		err = errors.Join(err, errors.New("warning: "+w))
	}
	return err
}
