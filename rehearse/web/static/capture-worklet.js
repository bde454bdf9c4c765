/* rehearse serve: the microphone's samples as 16-bit PCM in 0.1-s blocks, with each block's level.
   Runs in the AudioWorklet (a standard Web Audio API); the page sends each block to the server. */
class Pcm16Blocks extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = Math.round(sampleRate / 10);
    this.block = new Int16Array(this.size);
    this.n = 0;
    this.energy = 0;
    this.port.onmessage = (event) => {
      if (event.data !== "flush") return;
      this.send(this.n);
      this.port.postMessage({flushed: true});
    };
  }

  send(n) {
    if (n === 0) return;
    const rms = Math.sqrt(this.energy / n);
    const pcm = n === this.size ? this.block.buffer : this.block.slice(0, n).buffer;
    this.port.postMessage({pcm: pcm, dbfs: rms > 0 ? 20 * Math.log10(rms) : -120}, [pcm]);
    this.block = new Int16Array(this.size);
    this.n = 0;
    this.energy = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      const s = Math.max(-1, Math.min(1, channel[i]));
      this.energy += s * s;
      this.block[this.n++] = s < 0 ? s * 32768 : s * 32767;
      if (this.n === this.size) this.send(this.n);
    }
    return true;
  }
}

registerProcessor("pcm16-blocks", Pcm16Blocks);
