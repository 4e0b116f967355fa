#!/usr/bin/python3
# test-deploy.py: the container image and the Kubernetes manifests agree
# with each other and with alloyd (docs/operations.md).
#
# Usage: test-deploy.py SOURCE_ROOT. Environment: ALLOYD (the daemon),
# ALLOY_PLUGIN_PATH when plugins are modules. Needs python3-yaml; no network,
# no cluster, no container engine: the manifests are parsed, and the
# ConfigMap's alloy.conf is given to `alloyd --check-config` with the
# container's arguments, as the pod would run it. Output: TAP, one line per
# check, whose message says what is wrong.
# SPDX-License-Identifier: Apache-2.0

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print('1..0 # SKIP python3-yaml is not installed')
    sys.exit(0)

SOURCE_ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
KUBE_DIR = os.path.join(SOURCE_ROOT, 'deploy', 'kubernetes')
CONTAINERFILE = os.path.join(SOURCE_ROOT, 'Containerfile')
CONTAINERIGNORE = os.path.join(SOURCE_ROOT, '.containerignore')

# Names the manifests and docs/operations.md use.
STATEFULSET = 'alloy'
PEER_SERVICE = 'alloy-peers'
READY_SERVICE = 'alloy-ready'
CLIENT_SERVICE = 'alloy'
CONFIGMAP = 'alloy-config'
CONFIG_KEY = 'alloy.conf'
ROLE = 'alloy-discovery'

# Values the downward API would give the pod, for the check-config run.
FAKE_POD = {
    'metadata.name': 'alloy-0',
    'metadata.namespace': 'alloy-test',
    'status.podIP': '10.244.1.7',
    'spec.nodeName': 'node-1',
    'spec.serviceAccountName': 'alloy',
}

# alloyd's defaults for the keys checked here (docs/configuration.md), used
# only when check-config cannot print the effective values.
DEFAULTS = {
    ('alloy', 'drain-delay'): '0s',
    ('alloy', 'drain-timeout'): '10s',
    ('discovery_kubernetes', 'port-name'): 'nexus',
}


class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def ok(self, name, good, problem=None):
        """One check: @problem says what is wrong when @good is false."""
        self.count += 1
        if good:
            print('ok %d - %s' % (self.count, name), flush=True)
        else:
            self.failed += 1
            print('not ok %d - %s: %s' % (self.count, name, problem or 'failed'), flush=True)
        return good

    def skip(self, name, why):
        self.count += 1
        print('ok %d - %s # SKIP %s' % (self.count, name, why), flush=True)

    def diag(self, text):
        for line in str(text).splitlines():
            print('# ' + line, flush=True)

    def finish(self):
        print('1..%d' % self.count, flush=True)
        return 1 if self.failed else 0


tap = Tap()


# ---- helpers ---------------------------------------------------------------

def parse_duration_ms(text):
    """alloyd's duration syntax: a sum of NUMBER UNIT (ms, s, m, h, d)."""
    units = {'ms': 1, 's': 1000, 'm': 60000, 'h': 3600000, 'd': 86400000}
    text = text.strip()
    parts = re.findall(r'(\d+(?:\.\d+)?)(ms|s|m|h|d)', text)
    if not parts or ''.join(n + u for n, u in parts) != text:
        raise ValueError('%r is not a duration' % text)
    return sum(float(n) * units[u] for n, u in parts)


def parse_keyfile(text):
    """A GKeyFile, enough for alloy.conf: {group: {key: value}}, in order."""
    groups = {}
    current = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        if line.startswith('[') and line.endswith(']'):
            current = groups.setdefault(line[1:-1], {})
            continue
        if '=' not in line or current is None:
            raise ValueError('line %d is neither a group nor KEY=VALUE: %r' % (number, raw))
        key, value = line.split('=', 1)
        current[key.strip()] = value.strip()
    return groups


def objects_of(docs, kind):
    return [d for d in docs if d.get('kind') == kind]


def named(docs, kind, name):
    for d in objects_of(docs, kind):
        if d.get('metadata', {}).get('name') == name:
            return d
    return None


def expand_kube_vars(text, env):
    """Kubernetes' $(VAR) expansion in command and args ($$ escapes $)."""
    def replace(match):
        if match.group(0) == '$$':
            return '$'
        name = match.group(1)
        return env[name] if name in env else match.group(0)
    return re.sub(r'\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)', replace, text)


def selector_matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


# ---- the manifests ---------------------------------------------------------

yaml_files = sorted(f for f in os.listdir(KUBE_DIR) if f.endswith(('.yaml', '.yml'))) \
    if os.path.isdir(KUBE_DIR) else []
tap.ok('deploy/kubernetes holds YAML files', len(yaml_files) > 0,
       'no *.yaml in %s' % KUBE_DIR)

docs = []          # every Kubernetes object, except the kustomization
kustomization = None
for name in yaml_files:
    path = os.path.join(KUBE_DIR, name)
    try:
        with open(path, encoding='utf-8') as f:
            loaded = [d for d in yaml.safe_load_all(f) if d is not None]
        problems = [i for i, d in enumerate(loaded)
                    if not isinstance(d, dict) or 'kind' not in d or 'apiVersion' not in d]
        tap.ok('%s parses as Kubernetes objects' % name, loaded and not problems,
               'empty' if not loaded else 'document(s) %s lack kind or apiVersion' % problems)
    except yaml.YAMLError as e:
        tap.ok('%s parses as Kubernetes objects' % name, False, 'YAML error: %s' % e)
        continue
    for d in loaded:
        if isinstance(d, dict) and d.get('kind') == 'Kustomization':
            kustomization = d
        elif isinstance(d, dict):
            d['_file'] = name
            docs.append(d)

# kustomization.yaml lists every manifest, and only existing ones.
if kustomization is None:
    tap.ok('kustomization.yaml lists every manifest', False, 'no Kustomization in deploy/kubernetes')
else:
    listed = kustomization.get('resources') or []
    others = [f for f in yaml_files if f not in ('kustomization.yaml', 'kustomization.yml')]
    missing = sorted(set(others) - set(listed))
    unknown = sorted(set(listed) - set(others))
    tap.ok('kustomization.yaml lists every manifest', not missing and not unknown,
           '; '.join(filter(None, [missing and 'not listed: %s' % ', '.join(missing),
                                   unknown and 'listed but absent: %s' % ', '.join(unknown)])))

with_namespace = ['%s %s (%s)' % (d['kind'], d.get('metadata', {}).get('name'), d['_file'])
                  for d in docs if d.get('metadata', {}).get('namespace')]
tap.ok('no manifest names a namespace', not with_namespace,
       'metadata.namespace is set in %s' % ', '.join(with_namespace))

sts = named(docs, 'StatefulSet', STATEFULSET)
configmap = named(docs, 'ConfigMap', CONFIGMAP)
peer_svc = named(docs, 'Service', PEER_SERVICE)
ready_svc = named(docs, 'Service', READY_SERVICE)
client_svc = named(docs, 'Service', CLIENT_SERVICE)
role = named(docs, 'Role', ROLE)
for kind, name, obj in [('StatefulSet', STATEFULSET, sts), ('ConfigMap', CONFIGMAP, configmap),
                        ('Service', PEER_SERVICE, peer_svc), ('Service', READY_SERVICE, ready_svc),
                        ('Service', CLIENT_SERVICE, client_svc), ('Role', ROLE, role)]:
    tap.ok('there is a %s %s' % (kind, name), obj is not None,
           'no %s named %s in deploy/kubernetes' % (kind, name))

pod_spec = (sts or {}).get('spec', {}).get('template', {}).get('spec', {})
pod_labels = (sts or {}).get('spec', {}).get('template', {}).get('metadata', {}).get('labels', {})
containers = pod_spec.get('containers') or []
container = containers[0] if containers else {}
tap.ok('the StatefulSet has the alloyd container', bool(container),
       'spec.template.spec.containers is empty')
container_ports = {p.get('name'): p for p in container.get('ports') or [] if p.get('name')}
env = {e.get('name'): e for e in container.get('env') or []}

# The ConfigMap's configuration.
conf_text = ((configmap or {}).get('data') or {}).get(CONFIG_KEY)
tap.ok('the ConfigMap holds %s' % CONFIG_KEY, isinstance(conf_text, str) and conf_text.strip(),
       'data.%s is missing or empty' % CONFIG_KEY)
conf = {}
try:
    conf = parse_keyfile(conf_text or '')
    tap.ok('%s is a key file' % CONFIG_KEY, True)
except ValueError as e:
    tap.ok('%s is a key file' % CONFIG_KEY, False, str(e))

# ---- the StatefulSet -----------------------------------------------------------

spec = (sts or {}).get('spec', {})
tap.ok('the StatefulSet has podManagementPolicy Parallel',
       spec.get('podManagementPolicy') == 'Parallel',
       'podManagementPolicy is %r' % spec.get('podManagementPolicy'))
tap.ok('the StatefulSet\'s serviceName is %s' % PEER_SERVICE, spec.get('serviceName') == PEER_SERVICE,
       'serviceName is %r' % spec.get('serviceName'))
tap.ok('the StatefulSet\'s selector matches its pod labels',
       selector_matches((spec.get('selector') or {}).get('matchLabels'), pod_labels),
       'selector %r, pod labels %r' % (spec.get('selector'), pod_labels))

for probe, path in [('readinessProbe', '/readyz'), ('livenessProbe', '/livez'),
                    ('startupProbe', '/livez')]:
    get = (container.get(probe) or {}).get('httpGet') or {}
    port = get.get('port')
    problems = []
    if not get:
        problems.append('no httpGet %s' % probe)
    else:
        if get.get('path') != path:
            problems.append('path is %r' % get.get('path'))
        if port != 'http':
            problems.append('port is %r, not the named port http' % port)
        elif 'http' not in container_ports:
            problems.append('the container declares no port named http')
    tap.ok('%s is GET %s on the container\'s http port' % (probe, path), not problems,
           '; '.join(problems))

startup = container.get('startupProbe') or {}
allowed_s = startup.get('failureThreshold', 3) * startup.get('periodSeconds', 10)
tap.ok('startupProbe allows at least 2 minutes for the first dataset scan', allowed_s >= 120,
       'failureThreshold x periodSeconds is only %ss' % allowed_s)

# The container ports are where alloy.conf listens.
def listen_port(protocol):
    for group, keys in conf.items():
        if group.startswith('transport:') and keys.get('protocol') == protocol:
            first = keys.get('listen', '').split(';')[0].strip()
            if ':' in first:
                return int(first.rsplit(':', 1)[1])
    return None


for name, protocol in [('thrift', 'thrift'), ('nexus', 'nexus'), ('http', 'http')]:
    want = listen_port(protocol)
    have = container_ports.get(name, {}).get('containerPort')
    tap.ok('container port %s is where alloy.conf listens for %s' % (name, protocol),
           want is not None and have == want,
           'alloy.conf has no transport_tcp group with protocol=%s' % protocol if want is None
           else 'containerPort %r, alloy.conf listens on %d' % (have, want))

# $(VAR) in args, and the advertised Nexus address.
args = [str(a) for a in container.get('args') or []]
referenced = sorted(set(re.findall(r'(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)', ' '.join(args))))
undefined = [v for v in referenced if v not in env]
tap.ok('every $(VAR) in the container args is defined in its env', not undefined,
       'undefined: %s' % ', '.join(undefined))
advertise = [a for a in args if a.startswith('transport:nexus:advertise=')]
nexus_port = listen_port('nexus')
pod_ip_env = env.get('POD_IP', {}).get('valueFrom', {}).get('fieldRef', {}).get('fieldPath')
tap.ok('args advertise $(POD_IP) with the Nexus port',
       len(advertise) == 1 and advertise[0] == 'transport:nexus:advertise=$(POD_IP):%s' % nexus_port,
       'advertise arguments: %r (expected transport:nexus:advertise=$(POD_IP):%s)'
       % (advertise, nexus_port))
tap.ok('POD_IP comes from status.podIP', pod_ip_env == 'status.podIP',
       'POD_IP fieldRef is %r' % pod_ip_env)
for var, field in [('ALLOY_NODE_ID', 'metadata.name'), ('POD_NAME', 'metadata.name'),
                   ('POD_NAMESPACE', 'metadata.namespace')]:
    have = env.get(var, {}).get('valueFrom', {}).get('fieldRef', {}).get('fieldPath')
    tap.ok('%s comes from %s' % (var, field), have == field, '%s fieldRef is %r' % (var, have))

# Security context.
pod_sc = pod_spec.get('securityContext') or {}
c_sc = container.get('securityContext') or {}
tap.ok('the pod runs as non-root', pod_sc.get('runAsNonRoot') is True or c_sc.get('runAsNonRoot') is True,
       'runAsNonRoot is not true')
tap.ok('the container\'s root filesystem is read-only', c_sc.get('readOnlyRootFilesystem') is True,
       'readOnlyRootFilesystem is not true')
tap.ok('the container requests resources', bool((container.get('resources') or {}).get('requests')),
       'resources.requests is missing')

# Volumes: the ConfigMap's file, and the dataset location.
volumes = {v.get('name'): v for v in pod_spec.get('volumes') or []}
mounts = container.get('volumeMounts') or []
config_path = None
for m in mounts:
    v = volumes.get(m.get('name'), {})
    if (v.get('configMap') or {}).get('name') == CONFIGMAP:
        items = (v.get('configMap') or {}).get('items')
        rel = CONFIG_KEY
        for item in items or []:
            if item.get('key') == CONFIG_KEY:
                rel = item.get('path')
        if items and not any(i.get('key') == CONFIG_KEY for i in items):
            rel = None
        if m.get('subPath'):
            config_path = m['mountPath'] if m['subPath'] == rel else None
        elif rel:
            config_path = m['mountPath'].rstrip('/') + '/' + rel
tap.ok('the ConfigMap\'s %s is mounted in the container' % CONFIG_KEY, config_path is not None,
       'no volumeMount of ConfigMap %s that exposes %s' % (CONFIGMAP, CONFIG_KEY))

location = conf.get('alloy', {}).get('alloy.samplestore.location', '')
data_mounts = [m['mountPath'] for m in mounts
               if 'configMap' not in volumes.get(m.get('name'), {})
               and (location == m['mountPath'].rstrip('/')
                    or location.startswith(m['mountPath'].rstrip('/') + '/'))]
tap.ok('a volume is mounted at alloy.samplestore.location', bool(location) and bool(data_mounts),
       'alloy.samplestore.location %r is on no mounted volume' % location)

# ---- Services ----------------------------------------------------------------

disc_groups = [(g, k) for g, k in conf.items() if g.startswith('discovery:')]
disc = disc_groups[0][1] if disc_groups else {}
tap.ok('alloy.conf uses discovery_kubernetes',
       len(disc_groups) == 1 and disc.get('plugin') == 'discovery_kubernetes',
       'discovery groups: %r' % [(g, k.get('plugin')) for g, k in disc_groups])
tap.ok('discovery watches the peer Service %s' % PEER_SERVICE, disc.get('service') == PEER_SERVICE,
       'service=%r' % disc.get('service'))

ps = (peer_svc or {}).get('spec', {})
tap.ok('%s is headless (clusterIP None)' % PEER_SERVICE, ps.get('clusterIP') == 'None',
       'clusterIP is %r' % ps.get('clusterIP'))
tap.ok('%s publishes not-ready addresses' % PEER_SERVICE, ps.get('publishNotReadyAddresses') is True,
       'publishNotReadyAddresses is %r' % ps.get('publishNotReadyAddresses'))
tap.ok('%s selects the StatefulSet\'s pods' % PEER_SERVICE, selector_matches(ps.get('selector'), pod_labels),
       'selector %r, pod labels %r' % (ps.get('selector'), pod_labels))

rs = (ready_svc or {}).get('spec', {})
tap.ok('%s is headless without publishNotReadyAddresses' % READY_SERVICE,
       rs.get('clusterIP') == 'None' and not rs.get('publishNotReadyAddresses'),
       'clusterIP %r, publishNotReadyAddresses %r' % (rs.get('clusterIP'), rs.get('publishNotReadyAddresses')))
tap.ok('%s has the peer Service\'s selector' % READY_SERVICE, rs.get('selector') == ps.get('selector'),
       'selector %r, %s has %r' % (rs.get('selector'), PEER_SERVICE, ps.get('selector')))

for svc_name, svc_spec in [(PEER_SERVICE, ps), (READY_SERVICE, rs)]:
    ports = svc_spec.get('ports') or []
    nexus = [p for p in ports if p.get('name') == 'nexus']
    good = len(nexus) == 1 and nexus[0].get('port') == nexus_port and \
        nexus[0].get('targetPort', nexus[0].get('port')) in ('nexus', nexus_port)
    tap.ok('%s has the port nexus on the Nexus port' % svc_name, good,
           'ports: %r (Nexus listens on %r)' % (ports, nexus_port))

cs = (client_svc or {}).get('spec', {})
thrift = [p for p in cs.get('ports') or [] if p.get('name') == 'thrift']
tap.ok('the client Service %s is a ClusterIP on port thrift %s' % (CLIENT_SERVICE, listen_port('thrift')),
       cs.get('type', 'ClusterIP') == 'ClusterIP' and cs.get('clusterIP') != 'None'
       and len(thrift) == 1 and thrift[0].get('port') == listen_port('thrift')
       and thrift[0].get('targetPort', thrift[0].get('port')) in ('thrift', listen_port('thrift')),
       'type %r, clusterIP %r, ports %r' % (cs.get('type'), cs.get('clusterIP'), cs.get('ports')))
tap.ok('%s selects the StatefulSet\'s pods' % CLIENT_SERVICE, selector_matches(cs.get('selector'), pod_labels),
       'selector %r, pod labels %r' % (cs.get('selector'), pod_labels))

# ---- RBAC -----------------------------------------------------------------------

rules = (role or {}).get('rules') or []
rule_problems = []
if len(rules) != 1:
    rule_problems.append('%d rules, expected exactly 1' % len(rules))
for r in rules:
    if r.get('apiGroups') != ['discovery.k8s.io']:
        rule_problems.append('apiGroups %r' % r.get('apiGroups'))
    if r.get('resources') != ['endpointslices']:
        rule_problems.append('resources %r' % r.get('resources'))
    if sorted(r.get('verbs') or []) != ['get', 'list', 'watch']:
        rule_problems.append('verbs %r' % r.get('verbs'))
    extra = sorted(set(r) - {'apiGroups', 'resources', 'verbs'})
    if extra:
        rule_problems.append('extra fields %s' % ', '.join(extra))
tap.ok('Role %s grants exactly get/list/watch on endpointslices.discovery.k8s.io' % ROLE,
       not rule_problems, '; '.join(rule_problems))
tap.ok('no ClusterRole or ClusterRoleBinding', not objects_of(docs, 'ClusterRole')
       and not objects_of(docs, 'ClusterRoleBinding'), 'cluster-wide RBAC objects are present')

sa_name = pod_spec.get('serviceAccountName')
tap.ok('the StatefulSet runs as a ServiceAccount defined here',
       sa_name is not None and named(docs, 'ServiceAccount', sa_name) is not None,
       'serviceAccountName %r has no ServiceAccount in deploy/kubernetes' % sa_name)
bindings = [b for b in objects_of(docs, 'RoleBinding')
            if (b.get('roleRef') or {}).get('kind') == 'Role'
            and (b.get('roleRef') or {}).get('name') == ROLE]
bound = [s for b in bindings for s in b.get('subjects') or []
         if s.get('kind') == 'ServiceAccount' and s.get('name') == sa_name]
tap.ok('a RoleBinding binds %s to the StatefulSet\'s ServiceAccount' % ROLE, bool(bound),
       'RoleBindings of %s: %r; the StatefulSet uses %r'
       % (ROLE, [b.get('subjects') for b in bindings], sa_name))

# ---- alloyd --check-config on the ConfigMap's configuration -------------------

alloyd = os.environ.get('ALLOYD')
effective = None
if not alloyd or not os.access(alloyd, os.X_OK):
    tap.skip('alloyd --check-config accepts the ConfigMap\'s configuration', 'ALLOYD is not set')
elif conf_text:
    with tempfile.TemporaryDirectory(prefix='alloy-deploy-') as tmp:
        conf_file = os.path.join(tmp, CONFIG_KEY)
        with open(conf_file, 'w', encoding='utf-8') as f:
            f.write(conf_text)
        datasets = os.path.join(tmp, 'datasets')
        os.mkdir(datasets)
        # The pod's environment: the downward API's values, and what the
        # kubelet sets for in-cluster clients.
        pod_env = {}
        for name, e in env.items():
            if 'value' in e:
                pod_env[name] = str(e['value'])
            field = (e.get('valueFrom') or {}).get('fieldRef', {}).get('fieldPath')
            if field in FAKE_POD:
                pod_env[name] = FAKE_POD[field]
        run_env = dict(os.environ)
        run_env.update(pod_env)
        run_env.update({'KUBERNETES_SERVICE_HOST': '10.96.0.1', 'KUBERNETES_SERVICE_PORT': '443'})
        # The dataset location is a volume in the pod, which does not exist
        # here (check-config requires a directory).
        command = [alloyd, '--check-config', '--config', conf_file,
                   '--set', 'alloy.samplestore.location=' + datasets]
        command += [expand_kube_vars(a, pod_env) for a in args]
        tap.diag('$ ' + ' '.join(shlex.quote(c) for c in command))
        try:
            result = subprocess.run(command, env=run_env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, timeout=60)
            good = result.returncode == 0
            tap.ok('alloyd --check-config accepts the ConfigMap\'s configuration', good,
                   'exit %d: %s' % (result.returncode, result.stderr.strip()))
            if good:
                effective = parse_keyfile(result.stdout)
            else:
                tap.diag(result.stderr)
        except (OSError, subprocess.TimeoutExpired) as e:
            tap.ok('alloyd --check-config accepts the ConfigMap\'s configuration', False, str(e))
    if effective is not None:
        want = 'advertise=%s:%s' % (FAKE_POD['status.podIP'], nexus_port)
        got = effective.get('transport:nexus', {}).get('advertise')
        tap.ok('the effective Nexus advertise is the pod IP', got == '%s:%s' % (FAKE_POD['status.podIP'], nexus_port),
               'advertise=%r, expected %s' % (got, want))


def setting(group, key, plugin_default_key=None):
    """The effective value when check-config printed it, else the file's or
    alloyd's default."""
    source = effective if effective is not None else conf
    value = source.get(group, {}).get(key)
    if value is None:
        value = DEFAULTS.get((plugin_default_key or group, key))
    return value


# terminationGracePeriodSeconds covers the whole drain.
try:
    delay_ms = parse_duration_ms(setting('alloy', 'drain-delay'))
    timeout_ms = parse_duration_ms(setting('alloy', 'drain-timeout'))
    grace = pod_spec.get('terminationGracePeriodSeconds', 30)
    tap.ok('terminationGracePeriodSeconds exceeds drain-delay + drain-timeout',
           grace * 1000 > delay_ms + timeout_ms,
           'terminationGracePeriodSeconds is %ss, drain-delay + drain-timeout is %gs'
           % (grace, (delay_ms + timeout_ms) / 1000))
except (ValueError, TypeError) as e:
    tap.ok('terminationGracePeriodSeconds exceeds drain-delay + drain-timeout', False,
           'cannot read drain-delay/drain-timeout: %s' % e)

disc_group = disc_groups[0][0] if disc_groups else 'discovery:peers'
port_name = setting(disc_group, 'port-name', 'discovery_kubernetes')
peer_port_names = [p.get('name') for p in ps.get('ports') or []]
tap.ok('%s\'s port name is the discovery group\'s port-name' % PEER_SERVICE,
       port_name in peer_port_names,
       'port-name=%r, %s has ports named %r' % (port_name, PEER_SERVICE, peer_port_names))

# ---- the Containerfile -----------------------------------------------------------


def containerfile_instructions(path):
    """(INSTRUCTION, arguments) pairs, continuation lines joined."""
    out = []
    pending = ''
    with open(path, encoding='utf-8') as f:
        for raw in f:
            line = raw.rstrip('\n')
            if not pending and (not line.strip() or line.lstrip().startswith('#')):
                continue
            if pending and line.lstrip().startswith('#'):
                continue
            if line.rstrip().endswith('\\'):
                pending += line.rstrip()[:-1] + ' '
                continue
            line = pending + line
            pending = ''
            parts = line.strip().split(None, 1)
            out.append((parts[0].upper(), parts[1] if len(parts) > 1 else ''))
    return out


stages = []   # [{'from': image, 'name': name, 'lines': [(instr, args)]}]
try:
    for instr, rest in containerfile_instructions(CONTAINERFILE):
        if instr == 'FROM':
            words = rest.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == 'AS' else None
            stages.append({'from': words[0], 'name': name, 'lines': []})
        elif stages:
            stages[-1]['lines'].append((instr, rest))
    tap.ok('the Containerfile has a build and a runtime stage', len(stages) >= 2,
           '%d FROM stage(s)' % len(stages))
except OSError as e:
    tap.ok('the Containerfile has a build and a runtime stage', False, str(e))

if len(stages) >= 2:
    build, runtime = stages[0], stages[-1]
    tap.ok('the build stage is debian:bookworm', build['from'] == 'debian:bookworm',
           'FROM %s' % build['from'])
    tap.ok('the runtime stage is debian:bookworm-slim', runtime['from'] == 'debian:bookworm-slim',
           'FROM %s' % runtime['from'])
    build_runs = ' '.join(a for i, a in build['lines'] if i == 'RUN')
    tap.ok('the build stage installs with meson under --prefix=/usr into DESTDIR=/out',
           '--prefix=/usr' in build_runs and 'DESTDIR=/out' in build_runs and 'meson install' in build_runs,
           'meson setup --prefix=/usr / DESTDIR=/out meson install not found in its RUN lines')
    copies = [a for i, a in runtime['lines'] if i == 'COPY']
    tap.ok('the runtime stage copies /out from the build stage',
           any(re.match(r'--from=(%s|0)\s+/out/?\s+/\s*$' % re.escape(build['name'] or '0'), c)
               for c in copies),
           'COPY lines: %r' % copies)

    def last(instr):
        values = [a for i, a in runtime['lines'] if i == instr]
        return values[-1].strip() if values else None

    user = last('USER')
    uid = user.split(':')[0] if user else None
    tap.ok('the runtime stage sets a numeric non-root USER', uid is not None and uid.isdigit() and int(uid) != 0,
           'USER is %r' % user)
    run_as = pod_sc.get('runAsUser', c_sc.get('runAsUser'))
    tap.ok('the pod\'s runAsUser is the image\'s USER', run_as is None or str(run_as) == uid,
           'runAsUser %r, image USER %r' % (run_as, user))
    tap.ok('the runtime stage sets STOPSIGNAL SIGTERM', last('STOPSIGNAL') == 'SIGTERM',
           'STOPSIGNAL is %r' % last('STOPSIGNAL'))
    exposed = set((last('EXPOSE') or '').split())
    want_ports = {str(p['containerPort']) for p in container_ports.values() if 'containerPort' in p}
    tap.ok('the runtime stage EXPOSEs the container ports', want_ports <= exposed,
           'EXPOSE %s, container ports %s' % (sorted(exposed), sorted(want_ports)))
    entry = last('ENTRYPOINT')
    try:
        entry_argv = json.loads(entry) if entry else None
    except ValueError:
        entry_argv = None
    tap.ok('the ENTRYPOINT is exec form running alloyd',
           isinstance(entry_argv, list) and entry_argv and entry_argv[0].endswith('/alloyd'),
           'ENTRYPOINT %r is not a JSON array starting with alloyd' % entry)
    entry_config = None
    if isinstance(entry_argv, list) and '--config' in entry_argv[:-1]:
        entry_config = entry_argv[entry_argv.index('--config') + 1]
    tap.ok('the ENTRYPOINT\'s --config is where the ConfigMap is mounted',
           entry_config is not None and entry_config == config_path,
           'ENTRYPOINT reads %r, the ConfigMap is mounted as %r' % (entry_config, config_path))
    tap.ok('the container does not replace the ENTRYPOINT', 'command' not in container,
           'the StatefulSet sets command: %r' % container.get('command'))

# .containerignore keeps the build directories and .git out of the context.
try:
    with open(CONTAINERIGNORE, encoding='utf-8') as f:
        patterns = {l.strip() for l in f if l.strip() and not l.startswith('#')}
    wanted = ['_b*', '_build*', '_a', '_s', '.git']
    missing = [p for p in wanted if p not in patterns]
    tap.ok('.containerignore excludes the build directories and .git', not missing,
           'missing patterns: %s' % ', '.join(missing))
except OSError as e:
    tap.ok('.containerignore excludes the build directories and .git', False, str(e))

sys.exit(tap.finish())
