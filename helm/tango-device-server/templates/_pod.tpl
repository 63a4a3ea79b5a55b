{{/*
The pod template of one instance, shared by the Deployment and the StatefulSet.
Called with (dict "root" $ "inst" $inst).
*/}}
{{- define "tango-device-server.podTemplate" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $inst := .inst }}
{{- $tokenSecret := include "tango-device-server.adminTokenSecret" $root }}
{{- $persistence := include "tango-device-server.persistence" . | fromYaml -}}
metadata:
  labels:
    {{- include "tango-device-server.instanceLabels" . | nindent 4 }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # A changed config rolls the pods: the server reads its config once, at start.
    checksum/config: {{ include "tango-device-server.serverConfig" . | sha256sum }}
    {{- if $v.metrics.podAnnotations.enabled }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ $v.ports.http | quote }}
    prometheus.io/path: /metrics
    {{- if $v.tls.enabled }}
    prometheus.io/scheme: https
    {{- end }}
    {{- end }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  serviceAccountName: {{ include "tango-device-server.serviceAccountName" $root }}
  automountServiceAccountToken: {{ $v.serviceAccount.automountServiceAccountToken }}
  # The server bounds its own shutdown at shutdownGraceMs plus about 0.5 s; Kubernetes waits longer.
  {{- if lt (mul (int $v.terminationGracePeriodSeconds) 1000) (add (int $v.shutdownGraceMs) 2000) }}
  {{- fail (printf "terminationGracePeriodSeconds (%d) must be at least shutdownGraceMs / 1000 + 2 (%d ms): the server needs its grace period" (int $v.terminationGracePeriodSeconds) (int $v.shutdownGraceMs)) }}
  {{- end }}
  terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
  {{- with $v.podSecurityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: device-server
      image: {{ include "tango-device-server.image" $root | quote }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      # The image's entrypoint is `tini -- node /app/dist/src/cli/tango-grpc.js`.
      args: ["serve", "--config", "/etc/tango-grpc/server.yaml"]
      ports:
        - name: grpc
          containerPort: {{ $v.ports.grpc }}
          protocol: TCP
        - name: http
          containerPort: {{ $v.ports.http }}
          protocol: TCP
      env:
        {{- if $persistence.enabled }}
        - name: TANGO_STORE_PATH
          value: /data/properties.json
        {{- end }}
        {{- if $tokenSecret }}
        - name: TANGO_ADMIN_TOKEN
          valueFrom:
            secretKeyRef:
              name: {{ $tokenSecret | quote }}
              key: {{ $v.adminToken.key | quote }}
        {{- end }}
        {{- if $v.tls.enabled }}
        {{- include "tango-device-server.tlsEnv" (dict "root" $root) | nindent 8 }}
        {{- end }}
        {{- with include "tango-device-server.databaseEnv" . | trim }}
        {{- . | nindent 8 }}
        {{- end }}
        # Tango file logging targets given no path write here (the root filesystem is read-only).
        - name: TANGO_LOG_PATH
          value: /tmp
        {{- with $v.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with $inst.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if $v.tls.enabled }}
      {{- include "tango-device-server.tlsProbes" (dict "root" $root) | nindent 6 }}
      {{- else }}
      # Liveness and startup ask the gRPC health service for "" (SERVING while the process is up);
      # readiness asks for tango.v1.Device, SERVING once every device is exported.
      startupProbe:
        grpc:
          port: {{ $v.ports.grpc }}
        {{- toYaml $v.probes.startup | nindent 8 }}
      readinessProbe:
        grpc:
          port: {{ $v.ports.grpc }}
          service: tango.v1.Device
        {{- toYaml $v.probes.readiness | nindent 8 }}
      livenessProbe:
        grpc:
          port: {{ $v.ports.grpc }}
        {{- toYaml $v.probes.liveness | nindent 8 }}
      {{- end }}
      {{- with (default $v.resources $inst.resources) }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.securityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: config
          mountPath: /etc/tango-grpc
          readOnly: true
        - name: tmp
          mountPath: /tmp
        {{- if $v.tls.enabled }}
        - name: tls
          mountPath: {{ include "tango-device-server.tlsDir" $root }}
          readOnly: true
        {{- end }}
        {{- if $persistence.enabled }}
        - name: data
          mountPath: /data
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "tango-device-server.instanceFullname" . }}
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- if $v.tls.enabled }}
    - name: tls
      secret:
        secretName: {{ include "tango-device-server.tlsSecret" $root }}
        # 0440: readable by the server's group (fsGroup) only.
        defaultMode: 288
    {{- end }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
