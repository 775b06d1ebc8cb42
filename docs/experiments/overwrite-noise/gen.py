# Writes the experiment's sounds (8 kHz, 16-bit): speech-like noise that never repeats itself.
# Run in /tmp/h22noise (writes snd/).
import random, struct, wave
def noise(seed, secs):
    r = random.Random(seed); y=0; env=0.5; out=[]
    for i in range(int(secs*8000)):
        if i % 800 == 0: env = 0.1 + 0.9*r.random()
        y = 0.8*y + r.gauss(0,1)
        out.append(max(-32768, min(32767, round(y*2000*env))))
    return out
def write(name, s):
    w = wave.open('snd/'+name+'.wav','wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
    w.writeframes(struct.pack('<%dh'%len(s), *s)); w.close()
write('caller', noise(1, 40))
for d in range(1,10):
    write('b-%d'%d, noise(100+d, d)); write('c-%d'%d, noise(200+d, d))
c = noise(7, 40); m = c[:3*8000] + [0]*(4*8000) + c[3*8000:]
write('muted', m)
