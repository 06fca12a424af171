{{/*
Object names are fixed, not derived from the release name: the operator looks its webhook
configuration, webhook Service, TLS Secret and Lease up by these names (WebhookCertificates,
Settings.LEASE_NAME), and they equal deploy/'s, so a cluster installed with kustomize can move to
the chart. One release per cluster.
*/}}

{{/* Labels every object carries: deploy/'s (kustomization.yaml), Helm's, and commonLabels. */}}
{{- define "rootlock.labels" -}}
app.kubernetes.io/name: rootlock
app.kubernetes.io/part-of: rootlock
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The operator's own objects (Deployment, Services, PodDisruptionBudget) add their component. */}}
{{- define "rootlock.operatorLabels" -}}
{{ include "rootlock.labels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/* What the Services, the PodDisruptionBudget and the Deployment select: deploy/'s selector, unchanged by upgrades. */}}
{{- define "rootlock.selectorLabels" -}}
app.kubernetes.io/name: rootlock
app.kubernetes.io/component: operator
{{- end }}

{{/*
metadata.annotations (commonAnnotations and "extra", a dict) at the indentation of metadata's
fields, on a line of its own; nothing when there are none.
*/}}
{{- define "rootlock.annotations" -}}
{{- $all := merge (dict) (.extra | default dict) (.root.Values.commonAnnotations | default dict) -}}
{{- with $all }}
  annotations:
    {{- toYaml . | nindent 4 }}
{{- end }}
{{- end }}

{{- define "rootlock.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}:{{ $tag }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ $tag }}
{{- end -}}
{{- end }}

{{/* The webhook's TLS Secret, read by the operator (WebhookCertificates.SECRET). */}}
{{- define "rootlock.webhookSecret" -}}rootlock-webhook-tls{{- end }}

{{/* Values that cannot work together: refused with the names of the values. */}}
{{- define "rootlock.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection) -}}
{{- fail (printf "replicaCount %d needs leaderElection: true (without it every replica would reconcile and write the same workloads)" (int .Values.replicaCount)) -}}
{{- end -}}
{{- $pdb := .Values.podDisruptionBudget -}}
{{- $min := $pdb.minAvailable -}}
{{- $blocks := ternary (eq (toString $min) "100%") (ge (int $min) (int .Values.replicaCount)) (kindIs "string" $min) -}}
{{- if and $pdb.enabled (eq (toString $pdb.maxUnavailable) "") $blocks -}}
{{- fail (printf "podDisruptionBudget.minAvailable %v with replicaCount %d would block every node drain: raise replicaCount or lower minAvailable" $pdb.minAvailable (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and .Values.webhook.certManager.issuerRef (ne .Values.webhook.certificates "cert-manager") -}}
{{- fail "webhook.certManager.issuerRef is set but webhook.certificates is not cert-manager" -}}
{{- end -}}
{{- end }}

{{/* The operator's cluster-scoped rules (a list, possibly empty), as the values need them. */}}
{{- define "rootlock.clusterScopedRules" -}}
{{- if and .Values.webhook.enabled (eq .Values.webhook.certificates "self") }}
# The admission webhook's caBundle: only Rootlock's own configuration.
- apiGroups: [admissionregistration.k8s.io]
  resources: [mutatingwebhookconfigurations]
  resourceNames: [rootlock-webhook]
  verbs: [get, patch]
{{- end }}
{{- if eq .Values.reports "auto" }}
# Whether a report API is installed (--reports auto): only those two CRDs, by name.
- apiGroups: [apiextensions.k8s.io]
  resources: [customresourcedefinitions]
  resourceNames: [reports.openreports.io, policyreports.wgpolicyk8s.io]
  verbs: [get]
{{- end }}
{{- end -}}
