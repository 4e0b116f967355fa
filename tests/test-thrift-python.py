#!/usr/bin/python3
# test-thrift-python.py: alloyd's sample-store API seen by an independent
# client, the Python code that `thrift --gen py` makes from the IDL, on
# Debian's python3-thrift (TSocket + TFramedTransport + strict
# TBinaryProtocol, as Burst's Finagle client frames it), plus calls written
# byte by byte for what a generated client cannot send.
#
# Usage: test-thrift-python.py GEN_DIR   (GEN_DIR holds the `sample_store`
# package). Environment: ALLOYD (the daemon), ALLOY_FIXTURES (the shared
# fixtures), ALLOY_PLUGIN_PATH when plugins are modules. Output: TAP.
# SPDX-License-Identifier: Apache-2.0

import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid

NODE_ID = 'thrift-py-peer'
REPLICATION = 3
START_TIMEOUT = 60.0   # seconds: alloyd's start, under a sanitizer too
STOP_TIMEOUT = 60.0
IO_TIMEOUT = 20.0      # seconds: every socket operation

# Multi-line, tabs, CRLF and non-ASCII text: the motif must come back byte
# for byte.
MOTIF = ('VIEW "vue café ☃" {\n'
         '\tINCLUDE user.sessions WHERE user.sessions.startTime > 0 // naïve — 日本語\r\n'
         '}\n')

# Test names, in order: the plan.
TESTS = [
    'alloyd starts and reports its listeners',
    'context echoes the guid with state 0 and "OK"',
    'generationHash is 64 hex characters',
    'generationHash is the same for a second call with another guid',
    'reply header is strict REPLY getViewGenerator with the seqid echoed',
    'loci has 3 entries',
    'locus suids are "B" + 32 upper-case hex, all distinct',
    'loci advertise 127.0.0.1, the node id and the Nexus port',
    'partitionProperties carry source, dataset, skipIndex 0..2, count, generation',
    'partitionProperties carry schema, rootVersion and a JSON partitions array',
    'store, domain and view properties are merged, later ones winning',
    'view properties cannot override the locus keys the server sets',
    'motifFilter echoes the multi-line non-ASCII viewMotif exactly',
    'an unknown dataset is Invalid (3), names the dataset, NO_HASH, no loci, no motif',
    'a wrong source name is Invalid (3) with NO_HASH and no loci',
    'an old-style (non-strict) CALL header is answered',
    'another method name gets EXCEPTION / UNKNOWN_METHOD with its seqid',
    'the connection serves a good call after the unknown method',
    'a negative seqid is echoed',
    'SIGTERM stops alloyd with exit code 0',
]


class Tap:
    def __init__(self, names):
        self.names = names
        self.number = 0
        self.failed = 0
        print('1..%d' % len(names), flush=True)

    def _next(self, name):
        self.number += 1
        expected = self.names[self.number - 1]
        assert name == expected, 'test %d is %r, plan says %r' % (self.number, name, expected)

    def ok(self, name, good, detail=None):
        self._next(name)
        if not good:
            self.failed += 1
        print('%s %d - %s' % ('ok' if good else 'not ok', self.number, name), flush=True)
        if detail and not good:
            for line in str(detail).splitlines():
                print('# ' + line, flush=True)
        return good

    def skip(self, name, reason):
        self._next(name)
        print('ok %d - %s # SKIP %s' % (self.number, name, reason), flush=True)

    def skip_rest(self, reason):
        while self.number < len(self.names):
            self.skip(self.names[self.number], reason)

    def diag(self, text):
        for line in str(text).splitlines():
            print('# ' + line, flush=True)


class Check:
    """Collects the failed expectations of one TAP test."""

    def __init__(self):
        self.problems = []

    def eq(self, what, got, expected):
        if got != expected:
            self.problems.append('%s: got %r, expected %r' % (what, got, expected))

    def true(self, what, condition):
        if not condition:
            self.problems.append(what)

    def report(self, tap, name):
        return tap.ok(name, not self.problems, '\n'.join(self.problems))


# ---- alloyd ---------------------------------------------------------------

class Daemon:
    """alloyd with a config of its own; stderr read line by line."""

    def __init__(self, binary, config_path):
        self.lines = []
        self.lock = threading.Lock()
        self.partial = b''
        self.eof = False
        self.drainer = None
        self.process = subprocess.Popen([binary, '--verbose', '--config', config_path],
                                        stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)

    def _take(self, chunk):
        if not chunk:
            self.eof = True
            if self.partial:
                with self.lock:
                    self.lines.append(self.partial.decode('utf-8', 'replace'))
                self.partial = b''
            return
        data = self.partial + chunk
        *complete, self.partial = data.split(b'\n')
        with self.lock:
            self.lines.extend(line.decode('utf-8', 'replace') for line in complete)

    def text(self):
        with self.lock:
            return '\n'.join(self.lines)

    def wait_for(self, predicate, timeout):
        """Reads stderr until predicate(text) holds, EOF or the deadline."""
        fd = self.process.stderr.fileno()
        deadline = time.monotonic() + timeout
        while not predicate(self.text()):
            if self.eof:
                return False
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            readable, _, _ = select.select([fd], [], [], left)
            if readable:
                self._take(os.read(fd, 65536))
        return True

    def drain_in_background(self):
        """From now on a thread reads stderr, so that alloyd never blocks on it."""
        fd = self.process.stderr.fileno()

        def drain():
            while not self.eof:
                self._take(os.read(fd, 65536))

        self.drainer = threading.Thread(target=drain, daemon=True)
        self.drainer.start()

    def stop(self, timeout):
        """SIGTERM, then the exit status (None when it did not exit in time)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        if self.drainer is not None:
            self.drainer.join(timeout)
        return status

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)


def write_config(tmp, fixtures):
    datasets = os.path.join(tmp, 'datasets')
    quo = os.path.join(datasets, 'quo')
    os.makedirs(quo)
    # A copy: alloyd refuses symbolic links in a dataset.
    shutil.copyfile(os.path.join(fixtures, 'data', 'quo', 'quo-view.json.gz'),
                    os.path.join(quo, 'quo-view.json.gz'))
    config = os.path.join(tmp, 'alloyd.conf')
    with open(config, 'w', encoding='utf-8') as f:
        f.write('[alloy]\n'
                'node-id=%s\n'
                'alloy.samplestore.location=%s\n'
                'alloy.samplestore.schema.path=%s\n'
                'alloy.samplestore.loci.replication=%d\n'
                'alloy.samplestore.dataset.settle=0s\n'
                'drain-timeout=1s\n'
                '[transport:thrift]\nplugin=transport_tcp\nprotocol=thrift\nlisten=127.0.0.1:0\n'
                '[transport:nexus]\nplugin=transport_tcp\nprotocol=nexus\nlisten=127.0.0.1:0\n'
                % (NODE_ID, datasets, os.path.join(fixtures, 'schemas'), REPLICATION))
    return config


def listener(text, protocol):
    match = re.search(r'listening: %s tcp:([0-9.]+):(\d+) ' % protocol, text)
    return (match.group(1), int(match.group(2))) if match else None


def ready(text):
    return (listener(text, 'thrift') is not None and listener(text, 'nexus') is not None and
            'this peer is' in text)


# ---- requests -------------------------------------------------------------

def make_data_source(ss, store=None, domain=None, view=None, motif=MOTIF):
    store_properties = {
        'burst.store.name': 'sample',
        'burst.samplestore.source.name': 'alloy',
        'burst.samplestore.source.version': '1.0',
        'alloy.samplestore.dataset': 'quo',
    }
    store_properties.update(store or {})
    return ss.ttypes.DataSource(
        domain=ss.ttypes.Domain(domainKey=7, domainProperties=dict(domain or {})),
        view=ss.ttypes.View(viewKey=11, schemaName='quo', viewMotif=motif,
                            storeProperties=store_properties,
                            viewProperties=dict(view or {})))


class Client:
    """The generated client on a framed strict binary protocol whose reader
    records each reply header (the generated code ignores the seqid)."""

    def __init__(self, ss, thrift, address, strict_write=True):
        from thrift.transport import TSocket, TTransport
        from thrift.protocol import TBinaryProtocol

        class Recording(TBinaryProtocol.TBinaryProtocol):
            def readMessageBegin(self):
                header = super().readMessageBegin()
                self.last_header = header
                return header

        self.socket = TSocket.TSocket(address[0], address[1])
        self.socket.setTimeout(IO_TIMEOUT * 1000)
        self.transport = TTransport.TFramedTransport(self.socket)
        # strictRead: a reply with an old-style header would fail to decode.
        self.protocol = Recording(self.transport, strictRead=True, strictWrite=strict_write)
        self.client = ss.SampleStoreApi.Client(self.protocol)
        self.transport.open()

    def call(self, guid, data_source, seqid=None):
        if seqid is not None:
            self.client._seqid = seqid
        sent = self.client._seqid
        reply = self.client.getViewGenerator(guid, data_source)
        return reply, sent, self.protocol.last_header

    def close(self):
        self.transport.close()


def recv_exactly(sock, size):
    data = b''
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError('connection closed after %d of %d bytes' % (len(data), size))
        data += chunk
    return data


def recv_frame(sock):
    (length,) = struct.unpack('>I', recv_exactly(sock, 4))
    return recv_exactly(sock, length)


def strict_call(name, seqid, args=b'\x00'):
    """A framed strict CALL: version|type, name, seqid, then the args struct."""
    name_bytes = name.encode('utf-8')
    body = (struct.pack('>I', 0x80010000 | 1) + struct.pack('>i', len(name_bytes)) + name_bytes +
            struct.pack('>i', seqid) + args)
    return struct.pack('>I', len(body)) + body


def parse_strict_header(frame):
    """(message type, name, seqid, offset of the payload) of a strict header."""
    (version,) = struct.unpack_from('>I', frame, 0)
    if version & 0xffff0000 != 0x80010000:
        raise ValueError('not a strict header: 0x%08x' % version)
    (name_length,) = struct.unpack_from('>i', frame, 4)
    name = frame[8:8 + name_length].decode('utf-8')
    (seqid,) = struct.unpack_from('>i', frame, 8 + name_length)
    return version & 0xff, name, seqid, 12 + name_length


def encode_args(ss, guid, data_source):
    """The getViewGenerator args struct, as the generated code writes it."""
    from thrift.transport import TTransport
    from thrift.protocol import TBinaryProtocol

    buffer = TTransport.TMemoryBuffer()
    args = ss.SampleStoreApi.getViewGenerator_args(guid=guid, dataSource=data_source)
    args.write(TBinaryProtocol.TBinaryProtocol(buffer))
    return buffer.getvalue()


def decode_struct(factory, payload):
    from thrift.transport import TTransport
    from thrift.protocol import TBinaryProtocol

    value = factory()
    value.read(TBinaryProtocol.TBinaryProtocol(TTransport.TMemoryBuffer(payload)))
    return value


# ---- the checks -----------------------------------------------------------

def run_checks(tap, ss, thrift, daemon):
    text = daemon.text()
    thrift_address = listener(text, 'thrift')
    nexus_port = listener(text, 'nexus')[1]
    SUCCESS = ss.ttypes.RequestState.Success
    INVALID = ss.ttypes.RequestState.Invalid

    client = Client(ss, thrift, thrift_address)
    try:
        # The main call: a seqid of our own (checked in the reply), properties in
        # every layer, a custom key in each.
        store = {'test.store.only': 'store-value', 'test.shared': 'from-store',
                 'test.shared.domain': 'from-store'}
        domain = {'test.domain.only': 'domain-value', 'test.shared': 'from-domain',
                  'test.shared.domain': 'from-domain'}
        view = {'test.view.only': 'view-value', 'test.shared': 'from-view'}
        guid = 'G' + uuid.uuid4().hex.upper()
        reply, sent, header = client.call(guid, make_data_source(ss, store, domain, view),
                                          seqid=424242)
        tap.diag('first reply: state %r, message %r, hash %r, %s loci' %
                 (reply.context.state if reply.context else None,
                  reply.context.message if reply.context else None, reply.generationHash,
                  len(reply.loci) if reply.loci is not None else None))

        c = Check()
        c.true('no context', reply.context is not None)
        if reply.context is not None:
            c.eq('context.guid', reply.context.guid, guid)
            c.eq('context.state', reply.context.state, SUCCESS)
            c.eq('context.message', reply.context.message, 'OK')
        c.report(tap, TESTS[1])

        generation = reply.generationHash
        tap.ok(TESTS[2], isinstance(generation, str) and
               re.fullmatch(r'[0-9a-f]{64}', generation) is not None,
               'generationHash %r' % (generation,))

        other_guid = 'G' + uuid.uuid4().hex.upper()
        again, _, _ = client.call(other_guid, make_data_source(ss, store, domain, view))
        c = Check()
        c.eq('second context.guid', again.context.guid, other_guid)
        c.eq('second context.state', again.context.state, SUCCESS)
        c.eq('second generationHash', again.generationHash, generation)
        c.report(tap, TESTS[3])

        c = Check()
        c.eq('reply header (name, type, seqid)', header,
             ('getViewGenerator', thrift.Thrift.TMessageType.REPLY, sent))
        c.report(tap, TESTS[4])

        loci = reply.loci or []
        tap.ok(TESTS[5], reply.loci is not None and len(loci) == REPLICATION,
               'loci: %r' % (reply.loci,))

        suids = [locus.suid for locus in loci]
        c = Check()
        c.true('no loci', bool(loci))
        for suid in suids:
            c.true('suid %r is not "B" + 32 upper-case hex' % (suid,),
                   isinstance(suid, str) and re.fullmatch(r'B[0-9A-F]{32}', suid) is not None)
        c.eq('distinct suids', len(set(suids)), len(suids))
        # The suids of another answer are new streams.
        c.true('the second answer reuses suids', not set(suids) & {l.suid for l in again.loci or []})
        c.report(tap, TESTS[6])

        c = Check()
        c.true('no loci', bool(loci))
        for i, locus in enumerate(loci):
            c.eq('locus %d hostAddress' % i, locus.hostAddress, '127.0.0.1')
            c.eq('locus %d hostName' % i, locus.hostName, NODE_ID)
            c.eq('locus %d port' % i, locus.port, nexus_port)
        c.report(tap, TESTS[7])

        props = [locus.partitionProperties or {} for locus in loci]
        c = Check()
        c.true('no loci', bool(loci))
        for i, p in enumerate(props):
            c.eq('locus %d source name' % i, p.get('burst.samplestore.source.name'), 'alloy')
            c.eq('locus %d dataset' % i, p.get('alloy.samplestore.dataset'), 'quo')
            c.eq('locus %d loci.count' % i, p.get('alloy.samplestore.loci.count'), str(REPLICATION))
            c.eq('locus %d generation' % i, p.get('alloy.samplestore.generation'), generation)
        c.eq('skipIndex values', sorted(p.get('alloy.samplestore.stream.skipIndex') for p in props),
             [str(i) for i in range(REPLICATION)])
        c.report(tap, TESTS[8])

        c = Check()
        c.true('no loci', bool(loci))
        residues = []
        for i, p in enumerate(props):
            schema = p.get('alloy.samplestore.schema')
            c.true('locus %d schema %r is not quo' % (i, schema),
                   isinstance(schema, str) and schema.lower() == 'quo')
            c.eq('locus %d rootVersion' % i, p.get('alloy.samplestore.json.rootVersion'), '1')
            try:
                partitions = json.loads(p.get('alloy.samplestore.partitions', ''))
            except ValueError as e:
                c.problems.append('locus %d partitions are not JSON: %s (%r)' %
                                  (i, e, p.get('alloy.samplestore.partitions')))
                continue
            c.true('locus %d partitions are not a non-empty array: %r' % (i, partitions),
                   isinstance(partitions, list) and partitions)
            for part in partitions if isinstance(partitions, list) else []:
                c.true('locus %d partition %r lacks id/digest/modulus/residue' % (i, part),
                       isinstance(part, dict) and
                       {'id', 'digest', 'modulus', 'residue'} <= set(part))
                if isinstance(part, dict):
                    c.true('locus %d digest %r is not SHA-256 hex' % (i, part.get('digest')),
                           re.fullmatch(r'[0-9a-f]{64}', str(part.get('digest'))) is not None)
                    residues.append((part.get('id'), part.get('modulus'), part.get('residue')))
        # One file, three loci: one stripe each (protocol-notes, "Loci and partitions").
        c.eq('stripes (modulus, residue) over the loci', sorted((m, r) for _, m, r in residues),
             [(REPLICATION, r) for r in range(REPLICATION)])
        c.report(tap, TESTS[9])

        c = Check()
        c.true('no loci', bool(loci))
        for i, p in enumerate(props):
            c.eq('locus %d test.store.only' % i, p.get('test.store.only'), 'store-value')
            c.eq('locus %d test.domain.only' % i, p.get('test.domain.only'), 'domain-value')
            c.eq('locus %d test.view.only' % i, p.get('test.view.only'), 'view-value')
            c.eq('locus %d test.shared (view wins)' % i, p.get('test.shared'), 'from-view')
            c.eq('locus %d test.shared.domain (domain wins over store)' % i,
                 p.get('test.shared.domain'), 'from-domain')
            c.eq('locus %d burst.store.name' % i, p.get('burst.store.name'), 'sample')
        c.report(tap, TESTS[10])

        # A view that tries to set the keys a stream is served by.
        hostile = {'alloy.samplestore.stream.skipIndex': '99', 'alloy.samplestore.loci.count': '42',
                   'alloy.samplestore.generation': 'f' * 64, 'alloy.samplestore.dataset': 'other',
                   'burst.samplestore.source.name': 'JsonBrio'}
        hostile_reply, _, _ = client.call('G' + uuid.uuid4().hex.upper(),
                                          make_data_source(ss, view=hostile))
        c = Check()
        c.eq('state', hostile_reply.context.state, SUCCESS)
        hostile_props = [l.partitionProperties or {} for l in hostile_reply.loci or []]
        c.eq('loci', len(hostile_props), REPLICATION)
        c.eq('skipIndex values', sorted(p.get('alloy.samplestore.stream.skipIndex')
                                        for p in hostile_props),
             [str(i) for i in range(REPLICATION)])
        for i, p in enumerate(hostile_props):
            c.eq('locus %d loci.count' % i, p.get('alloy.samplestore.loci.count'), str(REPLICATION))
            c.eq('locus %d generation' % i, p.get('alloy.samplestore.generation'),
                 hostile_reply.generationHash)
            c.eq('locus %d dataset' % i, p.get('alloy.samplestore.dataset'), 'quo')
            c.eq('locus %d source name' % i, p.get('burst.samplestore.source.name'), 'alloy')
        c.report(tap, TESTS[11])

        c = Check()
        c.eq('motifFilter', reply.motifFilter, MOTIF)
        c.eq('second motifFilter', again.motifFilter, MOTIF)
        c.report(tap, TESTS[12])

        missing_guid = 'G' + uuid.uuid4().hex.upper()
        missing, _, _ = client.call(missing_guid, make_data_source(
            ss, store={'alloy.samplestore.dataset': 'nosuchdataset'}))
        tap.diag('unknown dataset: %r' % (missing.context,))
        c = Check()
        c.eq('context.guid', missing.context.guid, missing_guid)
        c.eq('context.state', missing.context.state, INVALID)
        c.true('message %r does not name the dataset' % (missing.context.message,),
               'nosuchdataset' in (missing.context.message or ''))
        c.eq('generationHash', missing.generationHash, 'NO_HASH')
        c.eq('loci', missing.loci, None)
        c.eq('motifFilter', missing.motifFilter, None)
        c.report(tap, TESTS[13])

        wrong, _, _ = client.call('G' + uuid.uuid4().hex.upper(), make_data_source(
            ss, store={'burst.samplestore.source.name': 'NoSuchSource'}))
        tap.diag('wrong source: %r' % (wrong.context,))
        c = Check()
        c.eq('context.state', wrong.context.state, INVALID)
        c.true('empty message', bool(wrong.context.message))
        c.eq('generationHash', wrong.generationHash, 'NO_HASH')
        c.eq('loci', wrong.loci, None)
        c.eq('motifFilter', wrong.motifFilter, None)
        c.report(tap, TESTS[14])
    finally:
        client.close()

    # Burst's client writes strict headers, but old ones are accepted.
    old = Client(ss, thrift, thrift_address, strict_write=False)
    try:
        old_guid = 'G' + uuid.uuid4().hex.upper()
        old_reply, sent, header = old.call(old_guid, make_data_source(ss), seqid=99)
        c = Check()
        c.eq('reply header', header, ('getViewGenerator', thrift.Thrift.TMessageType.REPLY, sent))
        c.eq('context.guid', old_reply.context.guid, old_guid)
        c.eq('context.state', old_reply.context.state, SUCCESS)
        c.eq('generationHash', old_reply.generationHash, generation)
        c.report(tap, TESTS[15])
    finally:
        old.close()

    # Bytes by hand: another method, then a good call with a negative seqid,
    # on the same connection.
    with socket.create_connection(thrift_address, timeout=IO_TIMEOUT) as sock:
        sock.settimeout(IO_TIMEOUT)
        sock.sendall(strict_call('getViewGeneratorV2', 31337))
        c = Check()
        try:
            frame = recv_frame(sock)
            mtype, name, seqid, offset = parse_strict_header(frame)
            c.eq('message type', mtype, 3)
            c.eq('name', name, 'getViewGeneratorV2')
            c.eq('seqid', seqid, 31337)
            if mtype == 3:
                error = decode_struct(thrift.Thrift.TApplicationException, frame[offset:])
                tap.diag('unknown method: %r' % (error.message,))
                c.eq('TApplicationException type', error.type,
                     thrift.Thrift.TApplicationException.UNKNOWN_METHOD)
                c.true('no message', bool(error.message))
        except (OSError, EOFError, ValueError, struct.error) as e:
            c.problems.append('no reply: %r' % (e,))
        c.report(tap, TESTS[16])

        good_guid = 'G' + uuid.uuid4().hex.upper()
        negative = -123456
        c_after = Check()
        c_negative = Check()
        try:
            sock.sendall(strict_call('getViewGenerator', negative,
                                     encode_args(ss, good_guid, make_data_source(ss))))
            frame = recv_frame(sock)
            mtype, name, seqid, offset = parse_strict_header(frame)
            c_after.eq('message type', mtype, 2)
            c_after.eq('name', name, 'getViewGenerator')
            c_negative.eq('seqid', seqid, negative)
            if mtype == 2:
                result = decode_struct(ss.SampleStoreApi.getViewGenerator_result, frame[offset:])
                good = result.success
                c_after.true('no result', good is not None)
                if good is not None:
                    c_after.eq('context.guid', good.context.guid, good_guid)
                    c_after.eq('context.state', good.context.state, SUCCESS)
                    c_after.eq('generationHash', good.generationHash, generation)
                    c_after.eq('loci', len(good.loci or []), REPLICATION)
                    c_after.eq('motifFilter', good.motifFilter, MOTIF)
        except (OSError, EOFError, ValueError, struct.error) as e:
            c_after.problems.append('no reply: %r' % (e,))
            c_negative.problems.append('no reply: %r' % (e,))
        c_after.report(tap, TESTS[17])
        c_negative.report(tap, TESTS[18])


def main():
    if len(sys.argv) != 2:
        print('Bail out! usage: %s GEN_DIR' % sys.argv[0], flush=True)
        return 1
    tap = Tap(TESTS)

    try:
        import thrift.Thrift  # noqa: F401
        from thrift.protocol import TBinaryProtocol  # noqa: F401
        from thrift.transport import TSocket, TTransport  # noqa: F401
    except ImportError as e:
        tap.skip_rest('python3-thrift is not available to %s (%s)' % (sys.executable, e))
        return 0
    sys.path.insert(0, sys.argv[1])
    import sample_store.ttypes  # noqa: F401
    import sample_store.SampleStoreApi  # noqa: F401
    ss = sys.modules['sample_store']

    binary = os.environ.get('ALLOYD')
    if not binary or not os.access(binary, os.X_OK):
        print('Bail out! ALLOYD does not name the daemon: %r' % (binary,), flush=True)
        return 1
    fixtures = os.environ.get('ALLOY_FIXTURES')
    if (not fixtures or
            not os.path.isfile(os.path.join(fixtures, 'data', 'quo', 'quo-view.json.gz')) or
            not os.path.isdir(os.path.join(fixtures, 'schemas', 'quo'))):
        tap.skip_rest('fixtures missing (ALLOY_FIXTURES=%r)' % (fixtures,))
        return 0

    tmp = tempfile.mkdtemp(prefix='alloy-thrift-py-')
    daemon = None
    try:
        daemon = Daemon(binary, write_config(tmp, fixtures))
        started = daemon.wait_for(ready, START_TIMEOUT)
        if not tap.ok(TESTS[0], started, 'alloyd did not get ready:\n' + daemon.text()):
            tap.skip_rest('alloyd is not running')
            return 1
        daemon.drain_in_background()
        try:
            run_checks(tap, ss, thrift, daemon)
        except Exception:
            tap.diag(traceback.format_exc())
            while tap.number < len(TESTS) - 1:
                tap.ok(TESTS[tap.number], False, 'not reached: an earlier check raised')
        status = daemon.stop(STOP_TIMEOUT)
        tap.ok(TESTS[-1], status == 0, 'exit status %r' % (status,))
        if tap.failed:
            tap.diag('alloyd log:\n' + daemon.text())
    finally:
        if daemon is not None:
            daemon.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
