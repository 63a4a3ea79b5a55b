{{/*
The chart name, overridable.
*/}}
{{- define "tango-device-server.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The fully qualified app name: 63 characters at most (DNS labels), and short enough that
"<fullname>-<instance>" leaves room for the instance (see instanceFullname).
If the release name contains the chart name it is used as the full name.
*/}}
{{- define "tango-device-server.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "tango-device-server.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of one instance's objects: "<fullname>-<instance>". Called with (dict "root" $ "inst" $inst).
The instance name is kept whole (it tells instances apart) and the fullname is cut to fit 63.
A StatefulSet's pods add "-<ordinal>" and the controller-revision-hash label another 11, so
instanceFullname is cut to 52 for those.
*/}}
{{- define "tango-device-server.instanceFullname" -}}
{{- $inst := .inst.name }}
{{- $room := sub 51 (len $inst) | int }}
{{- $full := include "tango-device-server.fullname" .root | trunc $room | trimSuffix "-" }}
{{- printf "%s-%s" $full $inst }}
{{- end }}

{{/*
Common labels of every object.
*/}}
{{- define "tango-device-server.labels" -}}
helm.sh/chart: {{ include "tango-device-server.chart" . }}
{{ include "tango-device-server.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tango-controls
{{- end }}

{{/*
Selector labels of the whole release (the ServiceMonitor selects every instance's Service by them).
*/}}
{{- define "tango-device-server.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tango-device-server.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of one instance's objects. Called with (dict "root" $ "inst" $inst).
*/}}
{{- define "tango-device-server.instanceLabels" -}}
{{ include "tango-device-server.labels" .root }}
app.kubernetes.io/component: device-server
tango-grpc/instance: {{ .inst.name | quote }}
tango-grpc/server: {{ .root.Values.server.name | quote }}
{{- end }}

{{/*
Selector labels of one instance: unique per release and Tango instance. Called with (dict "root" $ "inst" $inst).
*/}}
{{- define "tango-device-server.instanceSelectorLabels" -}}
{{ include "tango-device-server.selectorLabels" .root }}
tango-grpc/instance: {{ .inst.name | quote }}
{{- end }}

{{/*
The image reference; the tag defaults to the chart's appVersion.
*/}}
{{- define "tango-device-server.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/*
The name of the Secret holding the admin token, or "" when there is none.
*/}}
{{- define "tango-device-server.adminTokenSecret" -}}
{{- if and .Values.adminToken.create .Values.adminToken.existingSecret }}
{{- fail "adminToken: set either create or existingSecret, not both" }}
{{- else if .Values.adminToken.create }}
{{- printf "%s-admin-token" (include "tango-device-server.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- else if .Values.adminToken.existingSecret }}
{{- .Values.adminToken.existingSecret }}
{{- end }}
{{- end }}

{{/*
The service account's name.
*/}}
{{- define "tango-device-server.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tango-device-server.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
A property map (class or device properties) as YAML. Tango keeps every property as a list of
strings, so each value is written as a quoted string or list of strings: Helm reads numbers in
values as float64, and toYaml would write 1000000 as 1e+06. Called with the map.
*/}}
{{- define "tango-device-server.properties" -}}
{{- range $key, $value := . }}
{{- if kindIs "slice" $value }}
{{ $key | quote }}:
{{- range $value }}
  - {{ include "tango-device-server.propertyString" . | quote }}
{{- end }}
{{- else }}
{{ $key | quote }}: {{ include "tango-device-server.propertyString" $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
One property value as Tango's text: whole numbers without an exponent.
*/}}
{{- define "tango-device-server.propertyString" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) }}
{{- printf "%d" (int64 .) }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/*
The server config file of one instance (docs/configuration.md). Called with (dict "root" $ "inst" $inst).
*/}}
{{- define "tango-device-server.serverConfig" -}}
{{- $v := .root.Values }}
{{- $inst := .inst -}}
# tango-grpc server config, rendered by the tango-device-server chart from its values.
server: {{ $v.server.name | quote }}
instance: {{ $inst.name | quote }}
serialization: {{ default $v.serialization $inst.serialization }}
logLevel: {{ default $v.logLevel $inst.logLevel }}
grpc:
  host: 0.0.0.0
  port: {{ $v.ports.grpc | int }}
  maxMessageBytes: {{ $v.grpc.maxMessageBytes | int64 }}
http:
  host: 0.0.0.0
  port: {{ $v.ports.http | int }}
  protectReads: {{ $v.http.protectReads }}
  requestTimeoutMs: {{ $v.http.requestTimeoutMs | int }}
monitorTimeoutMs: {{ $v.monitorTimeoutMs | int }}
blackboxDepth: {{ $v.blackboxDepth | int }}
hungHandlerFactor: {{ $v.hungHandlerFactor | int }}
eventLoopStallMs: {{ $v.eventLoopStallMs | int }}
shutdownGraceMs: {{ $v.shutdownGraceMs | int }}
limits:
  maxPackedArrayBytes: {{ $v.limits.maxPackedArrayBytes | int64 }}
  {{- with $v.limits.maxHeapBytes }}
  maxHeapBytes: {{ . | int64 }}
  {{- end }}
classes:
{{- range $inst.classes }}
  - name: {{ .name | quote }}
    {{- with .module }}
    module: {{ . | quote }}
    {{- end }}
    {{- with .properties }}
    properties:
      {{- include "tango-device-server.properties" . | trim | nindent 6 }}
    {{- end }}
    devices:
    {{- range .devices }}
      - name: {{ .name | quote }}
        {{- with .properties }}
        properties:
          {{- include "tango-device-server.properties" . | trim | nindent 10 }}
        {{- end }}
    {{- end }}
{{- end }}
{{- end }}

{{/*
The persistence settings of one instance: the global ones with the instance's own over them,
as YAML (use with fromYaml). Called with (dict "root" $ "inst" $inst). With a Tango database
it is off: the run-time properties are kept in the database, and the server would not use a store file.
*/}}
{{- define "tango-device-server.persistence" -}}
{{- $p := mergeOverwrite (deepCopy .root.Values.persistence) (deepCopy (.inst.persistence | default dict)) }}
{{- if include "tango-device-server.tangoHost" .root }}
{{- $_ := set $p "enabled" false }}
{{- end }}
{{- $p | toYaml }}
{{- end }}

{{/*
Checks what values.schema.json cannot say; renders nothing.
*/}}
{{- define "tango-device-server.checkValues" -}}
{{- $seen := dict }}
{{- range .Values.server.instances }}
{{- if hasKey $seen .name }}
{{- fail (printf "server.instances: the instance name %q is used twice" .name) }}
{{- end }}
{{- $_ := set $seen .name true }}
{{- end }}
{{- $_ := include "tango-device-server.adminTokenSecret" . }}
{{- end }}
