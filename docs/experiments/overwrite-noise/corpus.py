# A corpus of real-PBX recordings, overwritten and genuine, with real recorded speech and music
# (CORPUS.md beside this file). Sounds: Debian's asterisk-core-sounds-en-wav (prompts, one voice,
# "Allison") and asterisk-moh-opsound-wav (music on hold), 8 kHz 16-bit mono like gen.py.
#
#   python3 corpus.py run ROUND [ROUND ...]   write the round's sounds, place its calls on the
#                                            running kit in $PBXDIR (dialplan corpus.conf), copy
#                                            the WAVs to $OUT/wav and append to $OUT/manifest.tsv
#   python3 corpus.py specs ROUND             print the round's calls (no PBX needed)
#
# Environment: OUT (default /tmp/h22corpus), PBXDIR (default $OUT/pbx), PBX (the kit's launcher),
# CLASSES (postcall's classes of the rule to run, see CORPUS.md; empty: no verdict).
import os, re, shutil, subprocess, sys, time, wave, zlib
import numpy as np

OUT = os.environ.get('OUT', '/tmp/h22corpus')
SND = os.environ.get('SND', '/tmp/h22corpus/snd')  # = CX_SND of corpus.conf
PBXDIR = os.environ.get('PBXDIR', OUT + '/pbx')
PBX = os.environ.get('PBX', '/work/shared/pbx/pbx')
CLASSES = os.environ.get('CLASSES', '/tmp/h22corpus/classes-59bb28d')  # the exact rule (CORPUS.md)
CHECK = os.environ.get('CHECK', '/tmp/h22corpus/check')  # Check.class (CORPUS.md)
PROMPTS = '/usr/share/asterisk/sounds/en_US_f_Allison'
RATE = 8000
MAX_CALLS = 10  # calls up at once
HEADER = ['file', 'label', 'flow', 't1_s', 'd_s', 'caller_sound', 'b_sound', 'c_sound', 'round',
          'note', 'exact_rule', 'wav_s', 't_nominal_s', 'uniqueid']

# ---------------------------------------------------------------------------------------- sounds

def read(path):
    w = wave.open(path)
    assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE), path
    return np.frombuffer(w.readframes(w.getnframes()), dtype='<i2').astype(np.float64)

def write(name, s):
    s = np.clip(np.round(s), -32768, 32767).astype('<i2')
    w = wave.open('%s/%s.wav' % (SND, name), 'wb')
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(RATE)
    w.writeframes(s.tobytes()); w.close()

def pools():
    """Disjoint prompt pools: caller, B, C and announcements (no prompt shared between parties)."""
    skip = {'beep', 'beeperr', 'ascending-2tone', 'descending-2tone'}
    top = sorted(f[:-4] for f in os.listdir(PROMPTS) if f.endswith('.wav') and f[:-4] not in skip)
    sub = lambda d: sorted('%s/%s' % (d, f[:-4]) for f in os.listdir(PROMPTS + '/' + d) if f.endswith('.wav'))
    r = np.random.default_rng(12345)
    top = [top[i] for i in r.permutation(len(top))]
    ann = [p for p in top if 1.5 <= len(read('%s/%s.wav' % (PROMPTS, p))) / RATE <= 4.0][:12]
    rest = [p for p in top if p not in ann]
    q = len(rest) // 4
    return {'a': rest[:2 * q] + sub('digits'), 'b': rest[2 * q:3 * q] + sub('letters') + sub('phonetic'),
            'c': rest[3 * q:] + sub('dictate') + sub('followme'), 'ann': ann}

POOLS = None
CACHE = {}

def prompt(p, speed=1.0):
    if (p, speed) not in CACHE:
        s = read('%s/%s.wav' % (PROMPTS, p))
        if speed != 1.0:  # another "voice": the same recording played faster/slower (pitch moves)
            n = int(len(s) / speed)
            s = np.interp(np.arange(n) * speed, np.arange(len(s)), s)
        CACHE[(p, speed)] = s
    return CACHE[(p, speed)]

def speech(party, secs, rng, speed=1.0):
    """secs of one party talking: different prompts of its pool with pauses of exact silence.
    Returns the samples and the prompts used."""
    pool = POOLS[party]
    order = [pool[i] for i in rng.permutation(len(pool))]
    n = int(round(secs * RATE)); out = np.zeros(n); at = int(rng.uniform(0.0, 0.4) * RATE); used = []
    while at < n and order:
        p = order.pop(); s = prompt(p, speed); used.append(p)
        k = min(len(s), n - at); out[at:at + k] = s[:k]
        at += k + int(rng.uniform(0.2, 1.2) * RATE)
    return out, used

def noise(secs, dbfs, rng):
    """Low-level background (a phone that never sends exact silence): white noise through a
    one-pole low-pass (y[i] = 0.6 y[i-1] + w[i]), scaled to dbfs RMS."""
    n = int(round(secs * RATE)); w = rng.normal(0, 1, n)
    h = 0.6 ** np.arange(64)
    y = np.convolve(w, h)[:n]
    return y / y.std() * 32768 * 10 ** (dbfs / 20)

SPEED = {'a': 1.0, 'b': 0.9, 'c': 1.12}

def voice(party, secs, nz, rng):
    s, used = speech(party, secs, rng, SPEED[party])
    if nz:
        s = s + noise(secs, -nz, rng)
    return s

def desc_speech(party, nz):
    v = 'speech' + ('' if SPEED[party] == 1.0 else '@x%.2f' % SPEED[party])
    return v + ('+noise-%ddBFS' % nz if nz else ' (pauses exact silence)')

# ----------------------------------------------------------------------------------------- specs
# A call: caller's phone (how), B (before, main, T s), redirect, C (main D s, after).
# DB value fields (corpus.conf): phone:same:bpre:bmain:T:cmain:D:cpost:ann

OW_PAIRS = ([(1, 3), (2, 4), (1, 9), (2, 7), (3, 5), (3, 8), (4, 6), (4, 9), (5, 7), (6, 9), (2, 9), (7, 8)]
            + [(3, 1), (4, 2), (9, 1), (7, 2), (5, 3), (8, 3), (6, 4), (9, 4), (7, 5), (9, 6), (9, 2), (8, 7)]
            + [(d, d) for d in range(1, 10)])
KINDS = ['sn45', 'sn35', 's', 'moh', 'muted', 'loop']
LONG = [(20, 30, 'sn45'), (40, 10, 'sn35'), (25, 25, 'muted'), (15, 45, 'moh')]

def specs(rnd):
    out = []
    def add(label, T, D, kind, **kw):
        n = len(out) + 1
        out.append(dict(id=rnd * 1000 + n, label=label, T=T, D=D, kind=kind, round=rnd, **kw))
    if rnd >= 9:  # rounds 9+: only a queue / IVR set, genuine calls whose end repeats a prompt
        nz = {'n45': 'n35', 'sn45': 'sn35'} if rnd >= 13 else {}  # 13+: louder noise
        for i, k in enumerate(nz.get(k, k) for k in ['silent', 'n45', 'sn45', 'silent', 'n45', 'sn45']):
            add('genuine', 0, 0, k, bmain='queue', cmain='none', flow='queue-abandon', endfrac=(0.5, 1.0)[i % 2],
                align=i >= 3, note='B: announcement, 10 s music, announcement, 10 s music, announcement '
                '(cut at %d%%), hang-up: a caller who gives up in a queue' % ((50, 100)[i % 2]))
        for i, k in enumerate(nz.get(k, k) for k in ['silent', 'n45', 'sn45', 's']):
            add('genuine', 0, 0, k, bmain='ivr', cmain='none', flow='ivr-repeat', align=i % 2 == 0,
                note='B: a menu of three prompts, 2-4 s of silence, the same menu again, hang-up')
        return finish(out)
    # rounds 1 and 2: the same calls (only the pairing varies); 3-4 and 5-6: kinds rotated;
    # 7-8: as 1-2 with other noise levels (-55 / -25 dBFS) and one 120 s overwrite
    shift = ((rnd - 1) // 2) % 3
    kinds = [{'sn45': 'sn55', 'sn35': 'sn25'}.get(k, k) for k in KINDS] if rnd >= 7 else KINDS
    long = LONG + [(60, 60, 'sn45')] if rnd >= 7 else LONG
    for i, (T, D) in enumerate(OW_PAIRS):
        add('overwritten', T, D, kinds[(i + shift) % len(kinds)])
    for T, D, k in long:
        add('overwritten', T, D, k)
    for i, (T, D) in enumerate(OW_PAIRS):
        add('genuine', T, D, kinds[(i + shift) % len(kinds)])
    for T, D, k in long:
        add('genuine', T, D, k)
    # genuine only
    add('genuine', 5, 5, 'silent', bpre='moh', flow='moh20', note='B plays music on hold 20 s, caller silent')
    add('genuine', 5, 5, 'sn45', bpre='moh', flow='moh20', note='B plays music on hold 20 s, caller talks over noise')
    add('genuine', 4, 6, 's', bpre='moh', flow='moh20', note='B plays music on hold 20 s, caller talks')
    add('genuine', 20, 5, 'moh', bmain='silent', flow='moh20', note="caller's side music on hold 20 s, B silent")
    add('genuine', 5, 5, 'sn45', bpre='ann3', flow='announce3', note='B: one prompt 3x in a row, then talk')
    add('genuine', 6, 4, 's', bpre='ann3', flow='announce3', note='B: one prompt 3x in a row, then talk')
    add('genuine', 3, 6, 'silent', bpre='ann3', flow='announce3', note='B: one prompt 3x in a row, then talk; caller silent')
    add('genuine', 4, 5, 'silent', cpost='twice', flow='twice-end',
        note='C: talk, then the same prompt exactly twice, hang-up; caller silent; KNOWN LIMITATION of the exact rule')
    add('genuine', 4, 5, 's', cpost='twice', flow='twice-end',
        note='C: talk, then the same prompt exactly twice, hang-up; KNOWN LIMITATION of the exact rule')
    add('genuine', 5, 4, 'sn45', cpost='twice', flow='twice-end',
        note='C: talk, then the same prompt exactly twice, hang-up; KNOWN LIMITATION of the exact rule')
    for T, D, k in [(30, 30, 'sn45'), (50, 40, 'sn35'), (60, 60, 'sn45'), (20, 70, 'sn35'), (90, 30, 'sn45')]:
        add('genuine', T, D, k, flow='long', note='long call, speech over noise on every side')
    add('genuine', 3, 5, 'tones', nz=45, flow='tones', note='caller Playtones(440/300,0/300) against speech')
    add('genuine', 7, 4, 'tones', nz=45, flow='tones', note='caller Playtones(440/300,0/300) against speech')
    add('genuine', 6, 3, 'sn45', bmain='tones', flow='tones', note='B Playtones(480+620/500,0/500) against caller speech')
    add('genuine', 4, 7, 's', cmain='tones', flow='tones', note='C Playtones(425/1000,0/4000) against caller speech')
    if rnd >= 3:  # added after round 2 (see CORPUS.md)
        add('genuine', 4, 5, 'silent', cpost='twice', flow='twice-end', align=True,
            note='C: talk, then the same prompt (cut: see c_sound) exactly twice, hang-up; caller silent; KNOWN LIMITATION of the exact rule')
        add('genuine', 5, 4, 'sn45', cpost='twice', flow='twice-end', align=True,
            note='C: talk, then the same prompt (cut: see c_sound) exactly twice, hang-up; KNOWN LIMITATION of the exact rule')
        add('genuine', 3, 6, 'silent', bpre='ann3', flow='announce3', align=True,
            note='B: one prompt (cut: see b_sound) 3x in a row, then talk; caller silent')
        add('genuine', 5, 5, 'silent', bpre='moh60', flow='moh60', note='B plays music on hold 60 s, caller silent')
        add('genuine', 40, 5, 'moh', bmain='silent', flow='moh40', note="caller's side music on hold 40 s, B silent")
    if rnd >= 4:  # added after round 3
        add('overwritten', 3, 5, 'silent', note='caller silent: only B and C talk')
        add('overwritten', 6, 2, 'silent', note='caller silent: only B and C talk')
        add('overwritten', 4, 4, 'tones', bmain='tones', cmain='tones', flow='9TD-tones',
            note='tones on every side (like flow 814): neither rule is expected to find it')
        add('overwritten', 5, 3, 'tones', bmain='tones', cmain='tones', flow='9TD-tones',
            note='tones on every side (like flow 814): neither rule is expected to find it')
        add('genuine', 4, 4, 'tones', bmain='tones', cmain='tones', flow='tones', note='tones on every side')
        add('genuine', 6, 3, 'tones', bmain='tones', cmain='tones', flow='tones', note='tones on every side')
        add('genuine', 3, 5, 'silent', note='caller silent: only B and C talk')
        add('genuine', 6, 2, 'silent', note='caller silent: only B and C talk')
    return finish(out)

def finish(out):
    for s in out:
        s.setdefault('flow', ('9TD' if s['label'] == 'overwritten' else '8TD')
                     + ('-long' if max(s['T'], s['D']) > 9 else ''))
        s.setdefault('bpre', 'none'); s.setdefault('bmain', 'play'); s.setdefault('cmain', 'play')
        s.setdefault('cpost', 'none'); s.setdefault('note', '')
        k = s['kind']
        s.setdefault('nz', int(k.lstrip('sn')) if k.lstrip('sn').isdigit() else 45 if k in ('moh', 'muted', 'loop') else 0)
    return out

def dbvalue(s):
    phone = {'moh': 'moh', 'tones': 'tones', 'silent': 'silent'}.get(s['kind'], 'play')
    bmain = 'play' if s['bmain'] in ('queue', 'ivr') else s['bmain']
    return ':'.join(map(str, [phone, 1 if s['label'] == 'overwritten' else 0, s['bpre'], bmain,
                              s['T'], s['cmain'], s['D'], s['cpost'], s['id']]))

def make_sounds(s):
    """Writes <id>a (caller), <id>b, <id>c, <id>p (announcement) and fills the manifest's sound
    descriptions. Overwrite calls with the same T, D and kind get the same sounds in every round."""
    key = '%s-%d-%d-%s-%s' % (s['flow'], s['T'], s['D'], s['kind'], s['bpre'] + s['cpost'] + s['bmain'] + s['cmain'])
    if s['bmain'] in ('queue', 'ivr'):
        key += '-%s-%s' % (s.get('endfrac'), s.get('align'))
    rng = np.random.default_rng(zlib.crc32(key.encode()) + (0 if s['label'] == 'overwritten' else 7919 * s['round']))
    i, nz, k = s['id'], s['nz'], s['kind']
    pre = {'moh': 20, 'moh60': 60, 'ann3': 10}.get(s['bpre'], 0)
    if s['bmain'] in ('queue', 'ivr'):  # B's length decides the call's
        b, bdesc = queue_or_ivr(s, rng); s['T'] = int(round(len(b) / RATE))
    total = s['T'] + s['D'] + pre + 10
    if k == 's' or k.startswith('sn'):
        write('%da' % i, voice('a', total, nz, rng)); s['caller_sound'] = desc_speech('a', nz)
    elif k.startswith('n'):
        write('%da' % i, noise(total, -nz, rng)); s['caller_sound'] = 'noise-%ddBFS only (no speech)' % nz
    elif k == 'muted':
        a = voice('a', total, nz, rng)
        z0 = rng.uniform(0.5, max(1.0, s['T'] + s['D'] - 3)); z1 = z0 + rng.uniform(3, 6)
        a[int(z0 * RATE):int(z1 * RATE)] = 0
        write('%da' % i, a); s['caller_sound'] = 'muted %.1f-%.1fs exact zeros, else %s' % (z0, z1, desc_speech('a', nz))
    elif k == 'loop':
        cand = [p for p in POOLS['a'] if 1.2 <= len(prompt(p)) / RATE <= 2.6]
        p = cand[rng.integers(len(cand))]
        one = prompt(p); one = np.concatenate([one, np.zeros(-len(one) % 160)])
        one = one + noise(len(one) / RATE, -nz, rng)
        reps = int(total * RATE // len(one)) + 1
        write('%da' % i, np.tile(one, reps))
        s['caller_sound'] = 'loop of prompt %s (%.2fs, +noise-%ddBFS baked in, byte-identical repeats)' % (p, len(one) / RATE, nz)
    elif k == 'moh':
        s['caller_sound'] = 'MusicOnHold(corpus): opsound music, random file order'
    elif k == 'tones':
        s['caller_sound'] = 'Playtones(440/300,0/300)'
    elif k == 'silent':
        s['caller_sound'] = 'silent (Wait: no audio from the phone)'
    bnz = nz if k not in ('tones', 'silent', 's') else (45 if k != 's' else 0)
    if s['bmain'] == 'play':
        write('%db' % i, voice('b', s['T'], bnz, rng)); s['b_sound'] = desc_speech('b', bnz)
    elif s['bmain'] in ('queue', 'ivr'):
        write('%db' % i, b); s['b_sound'] = bdesc
    elif s['bmain'] == 'tones':
        s['b_sound'] = 'Playtones(480+620/500,0/500)'
    else:
        s['b_sound'] = 'silent %ds (Wait)' % s['T']
    if s['cmain'] == 'play':
        write('%dc' % i, voice('c', s['D'], bnz, rng)); s['c_sound'] = desc_speech('c', bnz)
    elif s['cmain'] == 'none':
        s['c_sound'] = 'none (B hangs up)'
    else:
        s['c_sound'] = 'Playtones(425/1000,0/4000)'
    if s['bpre'] in ('moh', 'moh60'):
        s['b_sound'] = 'MusicOnHold(corpus) %ds, then %s' % (pre, s['b_sound'])
    if s['bpre'] == 'ann3' or s['cpost'] == 'twice':
        p = POOLS['ann'][rng.integers(len(POOLS['ann']))]
        a = prompt(p)
        if s.get('align'):
            # Asterisk's WAV playback leaves out a file's last 22 samples (44 bytes): the replay lag
            # is len - 22, whole 20 ms frames only when len = 160 k + 22 (round 3-4: 160 k, not whole)
            k = 22 if s['round'] >= 5 else 0
            a = a[:(len(a) - k) // 160 * 160 + k]; p += ' cut to %d samples' % len(a)
        write('%dp' % i, a)
        if s['bpre'] == 'ann3':
            s['b_sound'] = 'Playback(%s) x3 in a row, then %s' % (p, s['b_sound'])
        else:
            s['c_sound'] = '%s, then Playback(%s) x2 in a row, hang-up' % (s['c_sound'], p)
    s['t_extra'] = pre

MOH = '/usr/share/asterisk/moh'

def queue_or_ivr(s, rng):
    """B's side of a queue a caller abandons (announcement / 10 s of music, three times, the last
    announcement cut) or of an IVR menu heard twice. align: the repeat lag is whole 20 ms frames."""
    def cut(a, before=0):  # so that before + len(a) is whole 20 ms frames
        return a[:(before + len(a)) // 160 * 160 - before] if s.get('align') else a
    if s['bmain'] == 'queue':
        p = POOLS['ann'][rng.integers(len(POOLS['ann']))]; a = prompt(p)
        tracks = sorted(f for f in os.listdir(MOH) if f.endswith('.wav')); parts = []; desc = []
        for j in range(2):
            t = tracks[rng.integers(len(tracks))]; m = read('%s/%s' % (MOH, t)); o = int(rng.uniform(0, len(m) / RATE - 12) * RATE)
            parts += [a, cut(m[o:o + 10 * RATE], len(a))]; desc.append('%s@%.1fs' % (t[:-4], o / RATE))
        end = a[:int(len(a) * s['endfrac'])]
        return (np.concatenate(parts + [end]),
                '%s / 10 s music (%s) x2, then %s again cut at %d%%; one WAV (the repeat lag %s whole frames)' % (
                    p, ', '.join(desc), p, s['endfrac'] * 100, 'is' if s.get('align') else 'is not always'))
    ps = [POOLS['ann'][j] for j in rng.permutation(len(POOLS['ann']))[:3]]
    menu = np.concatenate([np.concatenate([prompt(p), np.zeros(int(0.3 * RATE))]) for p in ps])
    gap = np.zeros(int(rng.uniform(2, 4) * RATE)); first = cut(np.concatenate([menu, gap]))
    return (np.concatenate([first, menu]),
            'menu %s, %.1f s silence, the same menu again, hang-up; one WAV' % ('+'.join(ps), len(gap) / RATE))

# ------------------------------------------------------------------------------------------- PBX

def rx(cmd):
    env = dict(os.environ, LD_LIBRARY_PATH=PBXDIR + '/asterisk/lib')
    return subprocess.run([PBX, 'rx', PBXDIR, cmd], capture_output=True, text=True, env=env).stdout

def active_ids():
    ids = set()
    for line in rx('core show channels concise').splitlines():
        m = re.match(r'Local/(\d+)@cx-[0-9a-f]+;', line)
        if m:
            ids.add(int(m.group(1)))
    return ids

def place(calls):
    order = sorted(calls, key=lambda s: -(s['T'] + s['D'] + s['t_extra']))  # long ones first
    for s in calls:
        rx('database put corpus %d %s' % (s['id'], dbvalue(s)))
    pending = list(order); t0 = time.time()
    while pending:
        if len(active_ids()) < MAX_CALLS:
            s = pending.pop(0)
            rx('channel originate Local/%d@cx extension %d@cx-phone' % (s['id'], s['id']))
            time.sleep(0.3)
        else:
            time.sleep(1.0)
    while active_ids() and time.time() - t0 < 1800:
        time.sleep(1.0)
    time.sleep(2.0)

TS = re.compile(r'^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\]')

def stamp(line):
    from datetime import datetime
    return datetime.strptime(TS.match(line).group(1), '%Y-%m-%d %H:%M:%S.%f').timestamp()

def collect(calls, log_from):
    with open(PBXDIR + '/log/full.log', errors='replace') as f:
        f.seek(log_from); lines = f.read().splitlines()
    for s in calls:
        chan = re.compile(r'Local/%d@cx-[0-9a-f]+;2' % s['id'])
        files = [m.group(1) for l in lines if 'MixMonitor("' in l and chan.search(l)
                 for m in [re.search(r'recordings/([^"]+\.wav)', l)] if m]
        begins = [stamp(l) for l in lines if 'Begin MixMonitor Recording' in l and chan.search(l)]
        s['uniqueid'] = files[0][:-4] if files else ''
        s['begins'] = begins
        s['t1_meas'] = round(begins[1] - begins[0], 3) if len(begins) >= 2 else None
        redir = [stamp(l) for l in lines if 'Executing [xfer@cx:1]' in l and chan.search(l)]
        s['redirect'] = round(redir[0] - begins[0], 3) if redir and begins else None

def exact_rule(paths):
    if not CLASSES or not paths:
        return {}
    cp = '%s:%s' % (CLASSES, CHECK)
    r = subprocess.run(['java', '-cp', cp, 'Check'] + paths, capture_output=True, text=True)
    out = {}
    for line in r.stdout.splitlines():
        name, _, rest = line.partition(' ')
        v = rest.partition(' ')[2]
        m = re.search(r'lag=PT([\d.]+)S, repeated=PT([\d.]+)S, zeros=PT([\d.]+)S', v)
        out[name] = ('FLAG lag=%ss repeated=%ss zeros=%ss' % m.groups()) if m else ('ok' if 'empty' in v else v)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
    return out

def run(rnd):
    global POOLS
    POOLS = POOLS or pools()
    os.makedirs(SND, exist_ok=True); os.makedirs(OUT + '/wav', exist_ok=True)
    calls = specs(rnd)
    if os.environ.get('ONLY'):  # a few calls by index, for a quick look
        calls = [calls[int(i)] for i in os.environ['ONLY'].split(',')]
    for s in calls:
        make_sounds(s)
    log_from = os.path.getsize(PBXDIR + '/log/full.log')
    t0 = time.time(); place(calls)
    print('round %d: %d calls in %.0f s' % (rnd, len(calls), time.time() - t0), flush=True)
    collect(calls, log_from)
    rows = []
    for s in calls:
        src = '%s/recordings/%s.wav' % (PBXDIR, s['uniqueid'])
        name = 'r%d_%d_%s_%s_T%d_D%d_%s.wav' % (rnd, s['id'], 'ow' if s['label'] == 'overwritten' else 'gen',
                                                 s['flow'], s['T'], s['D'], s['kind'])
        if not s['uniqueid'] or not os.path.exists(src):
            print('no recording for call %d (%s)' % (s['id'], name), file=sys.stderr); continue
        shutil.copyfile(src, OUT + '/wav/' + name)
        s['file'] = name; rows.append(s)
    verdict = exact_rule([OUT + '/wav/' + s['file'] for s in rows])
    new = not os.path.exists(OUT + '/manifest.tsv')
    with open(OUT + '/manifest.tsv', 'a') as f:
        if new:
            f.write('\t'.join(HEADER) + '\n')
        for s in rows:
            w = wave.open(OUT + '/wav/' + s['file']); secs = w.getnframes() / w.getframerate(); w.close()
            note = s['note']
            nb = len(s['begins'])
            if s['label'] == 'overwritten' and nb != 2 or s['label'] == 'genuine' and nb != 1:
                note = (note + '; ' if note else '') + '%d Begin MixMonitor lines' % nb
            # overwritten: the second MixMonitor's start; genuine: the redirect to C (no 2nd MixMonitor)
            t1 = s['t1_meas'] if s['label'] == 'overwritten' else s['redirect']
            f.write('\t'.join(str(x) for x in [
                s['file'], s['label'], s['flow'], '' if t1 is None else t1, s['D'], s['caller_sound'],
                s['b_sound'], s['c_sound'], rnd, note, verdict.get(s['file'], ''), round(secs, 3),
                s['T'] + s['t_extra'], s['uniqueid']]) + '\n')
    print('round %d: %d rows, %d flagged by the exact rule' % (
        rnd, len(rows), sum(1 for s in rows if verdict.get(s['file'], '').startswith('FLAG'))), flush=True)

if __name__ == '__main__':
    if sys.argv[1] == 'specs':
        for s in specs(int(sys.argv[2])):
            print(s['id'], s['label'], s['flow'], s['T'], s['D'], s['kind'], dbvalue(s), s['note'], sep='\t')
    elif sys.argv[1] == 'run':
        for r in sys.argv[2:]:
            run(int(r))
