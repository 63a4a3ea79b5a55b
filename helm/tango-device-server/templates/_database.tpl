{{/*
The Tango database (values `database`): the one this chart runs (database.enabled) or one that
runs elsewhere (database.external.tangoHost), and what every server pod is told about it.
*/}}

{{/*
The name of the database's objects (StatefulSet or Deployment, Service): "<release>-database".
*/}}
{{- define "tango-device-server.databaseName" -}}
{{- printf "%s-database" .Release.Name | trunc 52 | trimSuffix "-" }}
{{- end }}

{{/*
A Kubernetes Service's DNS name in the cluster: <name>.<namespace>.svc.cluster.local.
Called with (dict "root" $ "name" $serviceName).
*/}}
{{- define "tango-device-server.serviceDns" -}}
{{- printf "%s.%s.svc.cluster.local" .name .root.Release.Namespace }}
{{- end }}

{{/*
TANGO_HOST of every server: the chart's database Service, the external one, or "" for none.
*/}}
{{- define "tango-device-server.tangoHost" -}}
{{- $db := .Values.database }}
{{- if $db.enabled }}
{{- printf "%s:%v" (include "tango-device-server.serviceDns" (dict "root" . "name" (include "tango-device-server.databaseName" .))) $db.ports.grpc }}
{{- else if $db.external.tangoHost }}
{{- $db.external.tangoHost }}
{{- end }}
{{- end }}

{{/*
Labels of the database's objects, and the selector labels of its pod (no tango-grpc/instance
label: no instance's Service selects it).
*/}}
{{- define "tango-device-server.databaseLabels" -}}
{{ include "tango-device-server.labels" . }}
app.kubernetes.io/component: database
{{- end }}

{{- define "tango-device-server.databaseSelectorLabels" -}}
{{ include "tango-device-server.selectorLabels" . }}
app.kubernetes.io/component: database
{{- end }}

{{/*
Checks of the database values that values.schema.json cannot say; renders nothing.
*/}}
{{- define "tango-device-server.checkDatabase" -}}
{{- $db := .Values.database }}
{{- if and $db.enabled $db.external.tangoHost }}
{{- fail "database: set either database.enabled (the chart runs one) or database.external.tangoHost (one that runs elsewhere), not both" }}
{{- end }}
{{- if and $db.enabled (eq $db.storage "postgres") (not $db.postgres.existingSecret) }}
{{- fail "database.storage postgres needs database.postgres.existingSecret: a Secret whose key database.postgres.key holds the PostgreSQL URL (postgres://user:password@host:5432/tango)" }}
{{- end }}
{{- if and $db.enabled .Values.tls.enabled }}
{{- fail "database.enabled with tls.enabled: the chart's database has no TLS yet; run it outside the chart with TLS and give database.external.tangoHost" }}
{{- end }}
{{- $dbName := include "tango-device-server.databaseName" . }}
{{- range .Values.server.instances }}
{{- if and $db.enabled (eq (include "tango-device-server.instanceFullname" (dict "root" $ "inst" .)) $dbName) }}
{{- fail (printf "server.instances: the instance %q would have the database's name %s; rename it" .name $dbName) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The env of a server pod that uses a database: TANGO_HOST, its own Service's DNS name as the
address it registers (never the pod IP: the Service outlives the pod, and one instance is one pod),
and the admin token for its calls to the chart's own database. Called with (dict "root" $ "inst" $inst).
*/}}
{{- define "tango-device-server.databaseEnv" -}}
{{- $root := .root }}
{{- $tangoHost := include "tango-device-server.tangoHost" $root }}
{{- if $tangoHost }}
- name: TANGO_HOST
  value: {{ $tangoHost | quote }}
- name: TANGO_ADVERTISE_ADDRESS
  value: {{ printf "%s:%v" (include "tango-device-server.serviceDns" (dict "root" $root "name" (include "tango-device-server.instanceFullname" .))) $root.Values.ports.grpc | quote }}
{{- $tokenSecret := include "tango-device-server.adminTokenSecret" $root }}
{{- if and $root.Values.database.enabled $tokenSecret }}
# The database lets callers without the admin token only read.
- name: TANGO_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $tokenSecret | quote }}
      key: {{ $root.Values.adminToken.key | quote }}
{{- end }}
{{- end }}
{{- end }}
