{{/*
TLS on both ports (values tls.*; docs/tls.md). The server reads the Secret's tls.crt, tls.key and,
for client certificates, ca.crt from a read-only volume, and reloads them when the kubelet swaps
the Secret's files (a cert-manager renewal needs no restart).
*/}}

{{/* Where the TLS Secret is mounted. */}}
{{- define "tango-device-server.tlsDir" -}}
/etc/tango-grpc-tls
{{- end }}

{{/* The TLS Secret's name: tls.secretName, or <fullname>-tls (the cert-manager Certificate's). */}}
{{- define "tango-device-server.tlsSecret" -}}
{{- if .Values.tls.secretName }}
{{- .Values.tls.secretName }}
{{- else }}
{{- printf "%s-tls" (include "tango-device-server.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* Whether clients are asked for a certificate checked against ca.crt: "true" or "". */}}
{{- define "tango-device-server.tlsClientCa" -}}
{{- if and .Values.tls.enabled (or .Values.tls.clientCa .Values.tls.requireClientCert) }}true{{ end }}
{{- end }}

{{/* Checks what values.schema.json cannot say about tls; renders nothing. */}}
{{- define "tango-device-server.checkTls" -}}
{{- $tls := .Values.tls }}
{{- if and $tls.enabled (not $tls.secretName) (not $tls.certManager.enabled) }}
{{- fail "tls.enabled needs tls.secretName (an existing kubernetes.io/tls Secret) or tls.certManager.enabled" }}
{{- end }}
{{- if and $tls.enabled $tls.certManager.enabled (not $tls.certManager.issuerRef.name) }}
{{- fail "tls.certManager.enabled needs tls.certManager.issuerRef.name, the cert-manager Issuer or ClusterIssuer" }}
{{- end }}
{{- end }}

{{/* The container env of TLS (with (dict "root" $)). */}}
{{- define "tango-device-server.tlsEnv" -}}
{{- $v := .root.Values }}
{{- $dir := include "tango-device-server.tlsDir" .root }}
- name: TANGO_TLS_CERT_FILE
  value: {{ printf "%s/tls.crt" $dir | quote }}
- name: TANGO_TLS_KEY_FILE
  value: {{ printf "%s/tls.key" $dir | quote }}
{{- if include "tango-device-server.tlsClientCa" .root }}
- name: TANGO_TLS_CLIENT_CA_FILE
  value: {{ printf "%s/ca.crt" $dir | quote }}
{{- end }}
- name: TANGO_TLS_REQUIRE_CLIENT_CERT
  value: {{ $v.tls.requireClientCert | toString | quote }}
- name: TANGO_TLS_RELOAD_INTERVAL_MS
  value: {{ $v.tls.reloadIntervalMs | toString | quote }}
{{- end }}

{{/*
The probes with TLS: the kubelet's gRPC probes speak no TLS, so they ask the sidecar over HTTPS
(the kubelet does not verify the certificate, and the sidecar asks probes for none).
*/}}
{{- define "tango-device-server.tlsProbes" -}}
{{- $v := .root.Values }}
startupProbe:
  httpGet:
    path: /healthz
    port: http
    scheme: HTTPS
  {{- toYaml $v.probes.startup | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
    scheme: HTTPS
  {{- toYaml $v.probes.readiness | nindent 2 }}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
    scheme: HTTPS
  {{- toYaml $v.probes.liveness | nindent 2 }}
{{- end }}
