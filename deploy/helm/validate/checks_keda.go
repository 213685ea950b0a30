package main

import (
	"fmt"
	"strconv"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// The Kafka scaler's settings in KEDA v2.21.0 (pkg/scalers/kafka_scaler.go, kafkaMetadata):
// where each may be given. The trigger's metadata is a free map in the CRD, so a misspelt key
// would pass the type check and be ignored by the scaler; these lists catch it.
var kafkaTriggerMetadata = map[string]bool{
	"bootstrapServers": true, "consumerGroup": true, "topic": true, "partitionLimitation": true,
	"lagThreshold": true, "activationLagThreshold": true, "offsetResetPolicy": true,
	"allowIdleConsumers": true, "excludePersistentLag": true, "scaleToZeroOnInvalidOffset": true,
	"limitToPartitionsWithLag": true, "ensureEvenDistributionOfPartitions": true, "fullMetadata": true,
	"version": true, "tls": true, "unsafeSsl": true, "sasl": true, "saslTokenProvider": true, "awsRegion": true,
}

var kafkaAuthParams = map[string]bool{
	"tls": true, "ca": true, "cert": true, "key": true, "keyPassword": true, "sasl": true,
	"username": true, "password": true, "saslTokenProvider": true, "scopes": true,
	"oauthTokenEndpointUri": true, "oauthExtensions": true, "keytab": true, "ccacheName": true,
	"realm": true, "kerberosConfig": true, "kerberosServiceName": true, "kerberosDisableFAST": true,
}

var kafkaEnums = map[string]map[string]bool{
	"offsetResetPolicy": {"latest": true, "earliest": true},
	"tls":               {"enable": true, "disable": true},
	"sasl":              {"none": true, "plaintext": true, "scram_sha256": true, "scram_sha512": true, "oauthbearer": true, "gssapi": true},
}

var kafkaBooleans = []string{"allowIdleConsumers", "excludePersistentLag", "scaleToZeroOnInvalidOffset",
	"limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions", "fullMetadata", "unsafeSsl"}

// checkScaledObject: what KEDA's admission webhook and the Kafka scaler refuse.
func checkScaledObject(so *kedav1alpha1.ScaledObject) []string {
	var problems []string
	for _, check := range []func(*kedav1alpha1.ScaledObject) error{
		kedav1alpha1.CheckReplicaCountBoundsAreValid,
		kedav1alpha1.CheckFallbackValid,
		func(so *kedav1alpha1.ScaledObject) error { return kedav1alpha1.ValidateTriggers(so.Spec.Triggers) },
	} {
		if err := check(so); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if so.Spec.ScaleTargetRef == nil || so.Spec.ScaleTargetRef.Name == "" {
		problems = append(problems, "spec.scaleTargetRef.name is required")
	}
	for i, trigger := range so.Spec.Triggers {
		if trigger.Type == "kafka" {
			problems = append(problems, checkKafkaTrigger(fmt.Sprintf("spec.triggers[%d]", i), trigger.Metadata)...)
		}
	}
	return problems
}

func checkKafkaTrigger(at string, metadata map[string]string) []string {
	var problems []string
	for key, value := range metadata {
		if !kafkaTriggerMetadata[key] {
			problems = append(problems, fmt.Sprintf("%s.metadata.%s: not a setting of KEDA's kafka scaler", at, key))
		}
		if allowed, ok := kafkaEnums[key]; ok && !allowed[value] {
			problems = append(problems, fmt.Sprintf("%s.metadata.%s: %q is not one of its values", at, key, value))
		}
	}
	for _, key := range []string{"bootstrapServers", "consumerGroup"} {
		if metadata[key] == "" {
			problems = append(problems, fmt.Sprintf("%s.metadata.%s is required", at, key))
		}
	}
	lag, err := strconv.ParseInt(metadata["lagThreshold"], 10, 64)
	if metadata["lagThreshold"] != "" && (err != nil || lag <= 0) {
		problems = append(problems, at+".metadata.lagThreshold must be a positive integer")
	}
	activation, err := strconv.ParseInt(metadata["activationLagThreshold"], 10, 64)
	if metadata["activationLagThreshold"] != "" && (err != nil || activation < 0) {
		problems = append(problems, at+".metadata.activationLagThreshold must be a non-negative integer")
	}
	for _, key := range kafkaBooleans {
		if value, ok := metadata[key]; ok {
			if _, err := strconv.ParseBool(value); err != nil {
				problems = append(problems, fmt.Sprintf("%s.metadata.%s: %q is not a boolean", at, key, value))
			}
		}
	}
	if metadata["allowIdleConsumers"] == "true" && metadata["limitToPartitionsWithLag"] == "true" {
		problems = append(problems, at+": allowIdleConsumers and limitToPartitionsWithLag cannot both be true")
	}
	return problems
}

// checkReferences: objects that name each other within the rendered set exist there.
func checkReferences(objects []runtime.Object) []string {
	deployments := map[string]bool{}
	auths := map[string]*kedav1alpha1.TriggerAuthentication{}
	for _, obj := range objects {
		switch o := obj.(type) {
		case *appsv1.Deployment:
			deployments[o.Name] = true
		case *kedav1alpha1.TriggerAuthentication:
			auths[o.Name] = o
		}
	}
	var problems []string
	for _, obj := range objects {
		so, ok := obj.(*kedav1alpha1.ScaledObject)
		if !ok {
			continue
		}
		at := "ScaledObject/" + so.Name
		if ref := so.Spec.ScaleTargetRef; ref != nil && (ref.Kind == "" || ref.Kind == "Deployment") && !deployments[ref.Name] {
			problems = append(problems, fmt.Sprintf("%s: scaleTargetRef names Deployment %q, which is not rendered", at, ref.Name))
		}
		for i, trigger := range so.Spec.Triggers {
			ref := trigger.AuthenticationRef
			if ref == nil || (ref.Kind != "" && ref.Kind != "TriggerAuthentication") {
				continue
			}
			auth := auths[ref.Name]
			if auth == nil {
				problems = append(problems, fmt.Sprintf("%s: triggers[%d].authenticationRef names TriggerAuthentication %q, which is not rendered", at, i, ref.Name))
				continue
			}
			if trigger.Type != "kafka" {
				continue
			}
			for _, target := range auth.Spec.SecretTargetRef {
				if !kafkaAuthParams[target.Parameter] {
					problems = append(problems, fmt.Sprintf("TriggerAuthentication/%s: parameter %q is not one KEDA's kafka scaler reads", auth.Name, target.Parameter))
				}
			}
		}
	}
	return problems
}
