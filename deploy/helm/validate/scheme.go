package main

import (
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
)

// The API groups a chart of this project may render; anything else is reported, not guessed at.
var schemeAdders = []func(*runtime.Scheme) error{
	corev1.AddToScheme,
	appsv1.AddToScheme,
	batchv1.AddToScheme,
	policyv1.AddToScheme,
	networkingv1.AddToScheme,
	rbacv1.AddToScheme,
	autoscalingv2.AddToScheme,
	kedav1alpha1.AddToScheme,
	monitoringv1.AddToScheme,
}

// Modules whose Go types are the schemas; their versions are reported with every run.
var schemaModules = []string{
	"k8s.io/api",
	"github.com/kedacore/keda/v2",
	"github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring",
}

func newScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	for _, add := range schemeAdders {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	return scheme, nil
}

// A YAML decoder that fails on fields the Go types do not have and on fields given twice,
// as the API server does with fieldValidation=Strict.
func strictDecoder(scheme *runtime.Scheme) *json.Serializer {
	return json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme,
		json.SerializerOptions{Yaml: true, Strict: true})
}
