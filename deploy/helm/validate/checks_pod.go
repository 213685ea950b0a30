package main

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// checkPodSpec: names and references inside a pod template that the API server checks.
func checkPodSpec(at string, spec *corev1.PodSpec) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, at+"."+fmt.Sprintf(format, args...)) }
	volumes := map[string]bool{}
	for i, v := range spec.Volumes {
		for _, msg := range validation.IsDNS1123Label(v.Name) {
			add("volumes[%d].name: %s", i, msg)
		}
		if volumes[v.Name] {
			add("volumes[%d].name %q is given twice", i, v.Name)
		}
		volumes[v.Name] = true
	}
	if len(spec.Containers) == 0 {
		add("containers: at least one is required")
	}
	names := map[string]bool{}
	all := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for i, c := range all {
		cat := fmt.Sprintf("containers[%s]", c.Name)
		for _, msg := range validation.IsDNS1123Label(c.Name) {
			add("%s.name (#%d): %s", cat, i, msg)
		}
		if names[c.Name] {
			add("%s.name is given twice", cat)
		}
		names[c.Name] = true
		if c.Image == "" {
			add("%s.image is required", cat)
		}
		ports := map[string]bool{}
		for _, p := range c.Ports {
			if p.ContainerPort < 1 || p.ContainerPort > 65535 {
				add("%s.ports: containerPort %d is out of range", cat, p.ContainerPort)
			}
			if p.Name != "" {
				for _, msg := range validation.IsValidPortName(p.Name) {
					add("%s.ports[%s].name: %s", cat, p.Name, msg)
				}
				if ports[p.Name] {
					add("%s.ports: name %q is given twice", cat, p.Name)
				}
				ports[p.Name] = true
			}
		}
		for _, e := range c.Env {
			for _, msg := range validation.IsEnvVarName(e.Name) {
				add("%s.env[%s]: %s", cat, e.Name, msg)
			}
			if e.Value != "" && e.ValueFrom != nil {
				add("%s.env[%s]: value and valueFrom are both set", cat, e.Name)
			}
		}
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				add("%s.volumeMounts[%s]: no volume of that name", cat, m.Name)
			}
			if m.MountPath == "" || m.MountPath[0] != '/' {
				add("%s.volumeMounts[%s].mountPath %q must be absolute", cat, m.Name, m.MountPath)
			}
		}
		for probeName, probe := range map[string]*corev1.Probe{"livenessProbe": c.LivenessProbe, "readinessProbe": c.ReadinessProbe, "startupProbe": c.StartupProbe} {
			if probe == nil {
				continue
			}
			if probe.HTTPGet != nil {
				problems = append(problems, checkProbePort(fmt.Sprintf("%s.%s.%s.httpGet.port", at, cat, probeName), probe.HTTPGet.Port, ports)...)
			}
		}
	}
	return problems
}

func checkProbePort(at string, port intstr.IntOrString, named map[string]bool) []string {
	if port.Type == intstr.String {
		if !named[port.StrVal] {
			return []string{fmt.Sprintf("%s: the container has no port named %q", at, port.StrVal)}
		}
		return nil
	}
	if port.IntVal < 1 || port.IntVal > 65535 {
		return []string{fmt.Sprintf("%s: %d is out of range", at, port.IntVal)}
	}
	return nil
}
