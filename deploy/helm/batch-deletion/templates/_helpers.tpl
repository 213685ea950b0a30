{{/* Names: the release's prefix for every object, at most 63 characters. */}}
{{- define "bd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bd.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A component's object name: <fullname>-<component>, the prefix shortened to fit. */}}
{{- define "bd.componentName" -}}
{{- $root := index . 0 -}}{{- $component := index . 1 -}}
{{- printf "%s-%s" (include "bd.fullname" $root | trunc (int (sub 62 (len $component)))) $component | trimSuffix "-" -}}
{{- end -}}

{{- define "bd.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "bd.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "bd.labels" -}}
{{ include "bd.selectorLabels" . }}
app.kubernetes.io/version: {{ (index . 0).Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ (index . 0).Release.Service }}
app.kubernetes.io/part-of: batch-deletion
helm.sh/chart: {{ printf "%s-%s" (index . 0).Chart.Name (index . 0).Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* An app image: [registry/]repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "bd.appImage" -}}
{{- $root := index . 0 -}}
{{- $registry := $root.Values.image.registry | trimSuffix "/" -}}
{{- $repository := index . 1 -}}
{{- $tag := default $root.Chart.AppVersion $root.Values.image.tag -}}
{{- if $registry -}}{{ $registry }}/{{- end -}}{{ $repository }}:{{ $tag }}
{{- end -}}

{{- define "bd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "bd.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "bd.resonateServerName" -}}{{ include "bd.componentName" (list . "resonate") }}{{- end -}}

{{/* The URL the workers reach the Resonate server at. */}}
{{- define "bd.resonateUrl" -}}
{{- if .Values.resonate.server.enabled -}}
http://{{ include "bd.resonateServerName" . }}:{{ .Values.resonate.server.port }}
{{- else -}}
{{- required "resonate.externalUrl is required when resonate.server.enabled is false" .Values.resonate.externalUrl -}}
{{- end -}}
{{- end -}}

{{/* Where secret files are mounted in every pod of the chart. */}}
{{- define "bd.secretsDir" -}}/var/run/secrets/batch-deletion{{- end -}}

{{/*
The secret files a Kafka client gets: a list of {env, secret, key, path}, one per *_FILE setting
whose Secret is named in the values. The same list makes the env entries and the projected volume.
Argument: (list root app), app the key of its user under kafka.sasl.users (worker, topicSetup):
only that app's password is in its pods.
*/}}
{{- define "bd.kafkaSecretFiles" -}}
{{- $root := index . 0 -}}
{{- $k := $root.Values.kafka -}}
{{- $user := index $k.sasl.users (index . 1) -}}
{{- $files := list -}}
{{- if and (hasPrefix "sasl_" $k.securityProtocol) $user.passwordSecret.name -}}
{{- $files = append $files (dict "env" "KAFKA_SASL_PASSWORD_FILE" "secret" $user.passwordSecret.name "key" $user.passwordSecret.key "path" "kafka/sasl-password") -}}
{{- end -}}
{{- if $k.tls.caSecret.name -}}
{{- $files = append $files (dict "env" "KAFKA_SSL_CA_FILE" "secret" $k.tls.caSecret.name "key" $k.tls.caSecret.key "path" "kafka/ca.crt") -}}
{{- end -}}
{{- if $k.tls.clientCertSecret.name -}}
{{- $files = append $files (dict "env" "KAFKA_SSL_CERT_FILE" "secret" $k.tls.clientCertSecret.name "key" $k.tls.clientCertSecret.certKey "path" "kafka/client.crt") -}}
{{- $files = append $files (dict "env" "KAFKA_SSL_KEY_FILE" "secret" $k.tls.clientCertSecret.name "key" $k.tls.clientCertSecret.keyKey "path" "kafka/client.key") -}}
{{- end -}}
{{- toYaml $files -}}
{{- end -}}

{{- define "bd.workerSecretFiles" -}}
{{- $r := .Values.resonate -}}
{{- $files := include "bd.kafkaSecretFiles" (list . "worker") | fromYamlArray -}}
{{- if $r.tokenSecret.name -}}
{{- $files = append $files (dict "env" "RESONATE_TOKEN_FILE" "secret" $r.tokenSecret.name "key" $r.tokenSecret.key "path" "resonate/token") -}}
{{- end -}}
{{- if $r.payloadEncryption.keySecret.name -}}
{{- $files = append $files (dict "env" "RESONATE_ENCRYPTION_KEY_FILE" "secret" $r.payloadEncryption.keySecret.name "key" $r.payloadEncryption.keySecret.key "path" "resonate/encryption-key") -}}
{{- end -}}
{{- if $r.payloadEncryption.oldKeysSecret.name -}}
{{- $files = append $files (dict "env" "RESONATE_ENCRYPTION_OLD_KEYS_FILE" "secret" $r.payloadEncryption.oldKeysSecret.name "key" $r.payloadEncryption.oldKeysSecret.key "path" "resonate/encryption-old-keys") -}}
{{- end -}}
{{- if $r.promiseIdKeySecret.name -}}
{{- $files = append $files (dict "env" "RESONATE_PROMISE_ID_KEY_FILE" "secret" $r.promiseIdKeySecret.name "key" $r.promiseIdKeySecret.key "path" "resonate/promise-id-key") -}}
{{- end -}}
{{- range .Values.worker.requestSignatureKeys -}}
{{- $files = append $files (dict "env" "" "secret" .secret "key" .key "path" (printf "request-signatures/%s.pem" .id)) -}}
{{- end -}}
{{- with .Values.worker.requestSigningKey -}}
{{- if .secret.name -}}
{{- $files = append $files (dict "env" "REQUEST_SIGNING_KEY_FILE" "secret" .secret.name "key" .secret.key "path" "request-signing/key.pem") -}}
{{- end -}}
{{- end -}}
{{- if .Values.worker.statusTokenSecret.name -}}
{{- $files = append $files (dict "env" "STATUS_TOKEN_FILE" "secret" .Values.worker.statusTokenSecret.name "key" .Values.worker.statusTokenSecret.key "path" "status/token") -}}
{{- end -}}
{{- toYaml $files -}}
{{- end -}}

{{/* Env entries naming the mounted files. Argument: (list root files). */}}
{{- define "bd.secretFileEnv" -}}
{{- $root := index . 0 -}}
{{- range index . 1 }}
{{- if .env }}
- name: {{ .env }}
  value: {{ printf "%s/%s" (include "bd.secretsDir" $root) .path | quote }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* One projected volume holding every secret file of a pod, readable by its group only. */}}
{{- define "bd.secretVolume" -}}
- name: secrets
  projected:
    defaultMode: 0440
    sources:
      {{- range . }}
      - secret:
          name: {{ .secret }}
          items:
            - key: {{ .key }}
              path: {{ .path }}
      {{- end }}
{{- end -}}

{{/* The Kafka settings every Kafka client of the chart takes, as its own user. Argument: (list root app). */}}
{{- define "bd.kafkaEnv" -}}
{{- $root := index . 0 -}}
{{- $app := index . 1 -}}
{{- $k := $root.Values.kafka -}}
- name: KAFKA_BROKERS
  value: {{ required "kafka.brokers is required" $k.brokers | quote }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ $k.securityProtocol | quote }}
{{- if hasPrefix "sasl_" $k.securityProtocol }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $k.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ required (printf "kafka.sasl.users.%s.username is required with a sasl_ security protocol" $app) (index $k.sasl.users $app).username | quote }}
{{- end }}
{{- end -}}

{{/* Container hardening shared by every container of the chart. */}}
{{- define "bd.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "bd.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Settings that do not fit together, refused at render time with the value to change. */}}
{{- define "bd.checks" -}}
{{- $w := .Values.worker -}}
{{- if le (mul (int $w.terminationGracePeriodSeconds) 1000) (int $w.shutdownTimeoutMs) -}}
{{- fail (printf "worker.terminationGracePeriodSeconds (%d s) must be longer than worker.shutdownTimeoutMs (%d ms): the kubelet would kill the drain" (int $w.terminationGracePeriodSeconds) (int $w.shutdownTimeoutMs)) -}}
{{- end -}}
{{- $s := .Values.resonate.server -}}
{{- if and $s.enabled (le (mul (int $s.terminationGracePeriodSeconds) 1000) (int $s.shutdownTimeoutMs)) -}}
{{- fail (printf "resonate.server.terminationGracePeriodSeconds (%d s) must be longer than resonate.server.shutdownTimeoutMs (%d ms)" (int $s.terminationGracePeriodSeconds) (int $s.shutdownTimeoutMs)) -}}
{{- end -}}
{{- $a := .Values.autoscaling -}}
{{- if and $a.enabled (gt (int $a.maxReplicas) (int .Values.topics.partitions)) -}}
{{- fail (printf "autoscaling.maxReplicas (%d) must not exceed topics.partitions (%d): a worker beyond the partition count gets no partition" (int $a.maxReplicas) (int .Values.topics.partitions)) -}}
{{- end -}}
{{- if and (not $a.enabled) (gt (int $w.replicas) (int .Values.topics.partitions)) -}}
{{- fail (printf "worker.replicas (%d) must not exceed topics.partitions (%d): a worker beyond the partition count gets no partition" (int $w.replicas) (int .Values.topics.partitions)) -}}
{{- end -}}
{{- if and (eq .Values.resonate.payloadEncryption.mode "aes-256-gcm") (not .Values.resonate.payloadEncryption.keySecret.name) -}}
{{- fail "resonate.payloadEncryption.keySecret.name is required with mode aes-256-gcm" -}}
{{- end -}}
{{- if and (eq $w.store.kind "postgres") (not $w.store.databaseUrlSecret.name) -}}
{{- fail "worker.store.databaseUrlSecret.name is required with worker.store.kind postgres" -}}
{{- end -}}
{{- if and .Values.resonate.payloadEncryption.strict (not .Values.resonate.payloadEncryption.keySecret.name) -}}
{{- fail "resonate.payloadEncryption.strict needs resonate.payloadEncryption.keySecret.name" -}}
{{- end -}}
{{- if hasPrefix "sasl_" .Values.kafka.securityProtocol -}}
{{- $users := .Values.kafka.sasl.users -}}
{{- $apps := .Values.topicSetup.enabled | ternary (list "worker" "topicSetup") (list "worker") -}}
{{- range $apps -}}
{{- if not (index $users .).passwordSecret.name -}}
{{- fail (printf "kafka.sasl.users.%s.passwordSecret.name is required with a sasl_ security protocol" .) -}}
{{- end -}}
{{- end -}}
{{- if and $.Values.topicSetup.enabled (eq $users.worker.username $users.topicSetup.username) -}}
{{- fail "kafka.sasl.users.worker and kafka.sasl.users.topicSetup name the same user: each app needs its own (docs/security.md)" -}}
{{- end -}}
{{- end -}}
{{- if ne (empty $w.requestSigningKey.id) (empty $w.requestSigningKey.secret.name) -}}
{{- fail "worker.requestSigningKey.id and worker.requestSigningKey.secret.name go together: give both or neither" -}}
{{- end -}}
{{- if and .Values.resonate.server.enabled .Values.resonate.externalUrl -}}
{{- fail "resonate.externalUrl is for a server run elsewhere: set resonate.server.enabled false with it" -}}
{{- end -}}
{{- end -}}
