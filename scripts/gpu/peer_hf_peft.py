#!/usr/bin/env python3
"""The peer of Hone's GPU training benchmark: LoRA training steps of a random Llama with Hugging Face
transformers + PEFT on CUDA, as a user fine-tunes with them: bf16 weights, LoRA rank R on q,k,v,o,gate,up,down
(PEFT keeps the adapters in F32), AdamW, no gradient checkpointing, the attention transformers picks by default.
Prints one JSON line: {tokens_per_s, step_s, peak_bytes, loss_first, loss_last, ...}.

  peer_hf_peft.py DIR --write-model [--hidden 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 --vocab 32000]
      writes the random model (config.json + model.safetensors, bf16) that both sides then load;
  peer_hf_peft.py DIR --batch B --seq T --steps N [--rank 16 --alpha 32]
      runs one untimed warm-up step and N timed steps on cuda:0 (peak memory over the timed steps)."""
import argparse, json, time

import torch

ap = argparse.ArgumentParser()
ap.add_argument("model")
ap.add_argument("--write-model", action="store_true")
ap.add_argument("--hidden", type=int, default=2048)
ap.add_argument("--layers", type=int, default=22)
ap.add_argument("--heads", type=int, default=32)
ap.add_argument("--kv-heads", type=int, default=4)
ap.add_argument("--ffn", type=int, default=5632)
ap.add_argument("--vocab", type=int, default=32000)
ap.add_argument("--batch", type=int, default=4)
ap.add_argument("--seq", type=int, default=512)
ap.add_argument("--steps", type=int, default=10)
ap.add_argument("--rank", type=int, default=16)
ap.add_argument("--alpha", type=float, default=32)
ap.add_argument("--lr", type=float, default=1e-3)
a = ap.parse_args()

from transformers import LlamaConfig, LlamaForCausalLM  # noqa: E402

if a.write_model:
    cfg = LlamaConfig(hidden_size=a.hidden, intermediate_size=a.ffn, num_hidden_layers=a.layers,
                      num_attention_heads=a.heads, num_key_value_heads=a.kv_heads, vocab_size=a.vocab,
                      max_position_embeddings=4096, rms_norm_eps=1e-5, rope_theta=10000.0,
                      tie_word_embeddings=False, torch_dtype="bfloat16")
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg).to(torch.bfloat16)
    model.save_pretrained(a.model, safe_serialization=True, max_shard_size="100GB")
    print(json.dumps({"written": a.model, "parameters": sum(p.numel() for p in model.parameters())}))
    raise SystemExit(0)

from peft import LoraConfig, get_peft_model  # noqa: E402

dev = torch.device("cuda:0")
model = LlamaForCausalLM.from_pretrained(a.model, torch_dtype=torch.bfloat16).to(dev)
model.config.use_cache = False
lora = LoraConfig(r=a.rank, lora_alpha=a.alpha, lora_dropout=0.0, bias="none", task_type="CAUSAL_LM",
                  target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
model = get_peft_model(model, lora)
model.train()
params = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.0)
gen = torch.Generator().manual_seed(1)
losses, t0 = [], None
for step in range(a.steps + 1):
    # T + 1 ids: transformers shifts the labels, so T tokens are predicted, as in Hone's step.
    ids = torch.randint(0, model.config.vocab_size, (a.batch, a.seq + 1), generator=gen).to(dev)
    if step == 1:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats(dev)
        t0 = time.perf_counter()
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    losses.append(loss.item())
torch.cuda.synchronize()
secs = time.perf_counter() - t0
print(json.dumps({"side": "transformers+peft", "tokens_per_s": a.batch * a.seq * a.steps / secs,
                  "step_s": secs / a.steps, "peak_bytes": torch.cuda.max_memory_allocated(dev),
                  "loss_first": losses[0], "loss_last": losses[-1], "trainable": sum(p.numel() for p in params),
                  "attn_implementation": getattr(model.config, "_attn_implementation", "?"),
                  "torch": torch.__version__}))
