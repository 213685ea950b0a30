package main

import (
	"fmt"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metavalidation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// checkObject: what the API server (or KEDA's webhook) refuses in one object beyond its types.
func checkObject(obj runtime.Object) []string {
	problems := checkMetadata(obj)
	switch o := obj.(type) {
	case *appsv1.Deployment:
		problems = append(problems, checkSelector("spec.selector", o.Spec.Selector, o.Spec.Template.Labels)...)
		problems = append(problems, checkPodSpec("spec.template.spec", &o.Spec.Template.Spec)...)
		if o.Spec.Strategy.Type != "" && o.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType &&
			o.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
			problems = append(problems, fmt.Sprintf("spec.strategy.type %q is neither Recreate nor RollingUpdate", o.Spec.Strategy.Type))
		}
		if o.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType && o.Spec.Strategy.RollingUpdate != nil {
			problems = append(problems, "spec.strategy.rollingUpdate is forbidden with type Recreate")
		}
	case *batchv1.Job:
		problems = append(problems, checkPodSpec("spec.template.spec", &o.Spec.Template.Spec)...)
		if policy := o.Spec.Template.Spec.RestartPolicy; policy != corev1.RestartPolicyNever && policy != corev1.RestartPolicyOnFailure {
			problems = append(problems, fmt.Sprintf("spec.template.spec.restartPolicy %q: a Job's must be Never or OnFailure", policy))
		}
	case *policyv1.PodDisruptionBudget:
		problems = append(problems, checkSelector("spec.selector", o.Spec.Selector, nil)...)
		if (o.Spec.MinAvailable == nil) == (o.Spec.MaxUnavailable == nil) {
			problems = append(problems, "spec: exactly one of minAvailable and maxUnavailable")
		}
	case *networkingv1.NetworkPolicy:
		problems = append(problems, checkSelector("spec.podSelector", &o.Spec.PodSelector, nil)...)
		for _, t := range o.Spec.PolicyTypes {
			if t != networkingv1.PolicyTypeIngress && t != networkingv1.PolicyTypeEgress {
				problems = append(problems, fmt.Sprintf("spec.policyTypes: %q is neither Ingress nor Egress", t))
			}
		}
	case *corev1.Service:
		for _, msg := range validation.IsDNS1035Label(o.Name) {
			problems = append(problems, "metadata.name (a Service's is a DNS-1035 label): "+msg)
		}
		for i, port := range o.Spec.Ports {
			if len(o.Spec.Ports) > 1 && port.Name == "" {
				problems = append(problems, fmt.Sprintf("spec.ports[%d].name: required when there are several ports", i))
			}
		}
	case *kedav1alpha1.ScaledObject:
		problems = append(problems, checkScaledObject(o)...)
	}
	return problems
}

func checkMetadata(obj runtime.Object) []string {
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	if accessor.GetName() == "" {
		problems = append(problems, "metadata.name is required")
	}
	for _, msg := range validation.IsDNS1123Subdomain(accessor.GetName()) {
		problems = append(problems, "metadata.name: "+msg)
	}
	path := field.NewPath("metadata")
	errs := metavalidation.ValidateLabels(accessor.GetLabels(), path.Child("labels"))
	errs = append(errs, apivalidation.ValidateAnnotations(accessor.GetAnnotations(), path.Child("annotations"))...)
	for _, e := range errs {
		problems = append(problems, e.Error())
	}
	return problems
}

// checkSelector: the selector parses and, where the pods' labels are given, selects them
// (a Deployment whose selector misses its template is refused).
func checkSelector(at string, selector *metav1.LabelSelector, podLabels map[string]string) []string {
	if selector == nil {
		return []string{at + " is required"}
	}
	parsed, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", at, err)}
	}
	if podLabels != nil && (parsed.Empty() || !parsed.Matches(labels.Set(podLabels))) {
		return []string{fmt.Sprintf("%s does not select the pod template's labels %v", at, podLabels)}
	}
	return nil
}
