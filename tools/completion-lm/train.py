# Trains a completion re-ranking LM (eval/completion.md, "A model that never saw val.jsonl") with the shared recipe's
# model (SHARED/models/tiny-llama-recipe/model.py) and tokenizer, never touching val.jsonl (the shared
# iu-xray-tiny-llama chose its checkpoint by val loss):
#   held-out mode (HELD=250, the default): learns from the first 1,819 reports of train.jsonl and keeps the checkpoint
#     with the lowest loss on the last 250 (development split A of eval/completion.md), so split A can tune weights honestly;
#   refit mode (HELD=0): learns from all 2,069 reports for the step count the held-out run chose, and keeps the last step.
# A fixed step count (not a time budget) makes a run repeatable: two 40-step runs here gave identical weights, bit for
# bit (another BLAS or thread count may differ in the last bits).
#   HELD=250 /usr/bin/python3 tools/completion-lm/train.py OUT.pt [STEPS] [DROPOUT]
# Needs Debian's python3-torch, python3-sentencepiece and libopenblas0 (with the reference BLAS it runs at most a fifth as fast: the recipe's bench.py, under 170 tok/s against 812).
import json, math, os, random, sys, time
import torch, torch.nn.functional as F
SHARED = os.environ.get('SHARED', os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared'))
RECIPE = os.path.join(SHARED, 'models', 'tiny-llama-recipe')
sys.path.insert(0, RECIPE)
import sentencepiece as spm
from model import Cfg, LLaMA

OUT = sys.argv[1]
STEPS = int(sys.argv[2]) if len(sys.argv) > 2 else 520
DROPOUT = float(sys.argv[3]) if len(sys.argv) > 3 else 0.2
HELD = int(os.environ.get('HELD', '250'))
TOK_PER_BATCH, LR, LR_MIN, WARM, EVAL_EVERY = 2048, 1.5e-3, 1e-4, 30, 20
torch.set_num_threads(2); torch.manual_seed(0); random.seed(0)
sp = spm.SentencePieceProcessor(model_file=os.path.join(RECIPE, 'spm1536.model'))
cfg = Cfg(vocab=sp.get_piece_size(), dim=320, n_layers=6, n_heads=8, n_kv_heads=8, ffn=864, ctx=256, dropout=DROPOUT)
def enc(t): return ([1] + sp.encode(t.strip()) + [2])[:cfg.ctx]
rows = [json.loads(l) for l in open(os.path.join(SHARED, 'data', 'iu-xray', 'train.jsonl'))]
tr = [enc(r['findings']) for r in rows[:len(rows) - HELD] if r.get('findings', '').strip()]
ho = [enc(r['findings']) for r in rows[len(rows) - HELD:] if r.get('findings', '').strip()]
print(f'train {len(tr)} reports {sum(map(len, tr))} tokens | held out {len(ho)} reports {sum(map(len, ho))} tokens', flush=True)

def batches(seqs, budget, shuffle):
    idx = sorted(range(len(seqs)), key=lambda i: len(seqs[i]) + (random.random() if shuffle else 0))
    out, cur, mx = [], [], 0
    for i in idx:
        m = max(mx, len(seqs[i]))
        if cur and m * (len(cur) + 1) > budget: out.append(cur); cur, m = [], len(seqs[i])
        cur.append(i); mx = m
    if cur: out.append(cur)
    if shuffle: random.shuffle(out)
    return out

def collate(seqs, ids):
    T = max(len(seqs[i]) for i in ids)
    x = torch.full((len(ids), T), 2, dtype=torch.long); y = torch.full((len(ids), T), -100, dtype=torch.long)
    for r, i in enumerate(ids):
        s = torch.tensor(seqs[i]); x[r, :len(s)] = s; y[r, :len(s) - 1] = s[1:]
    return x, y

@torch.no_grad()
def loss_on(m, seqs):
    m.eval(); tot, n = 0.0, 0
    for ids in batches(seqs, 8192, False):
        x, y = collate(seqs, ids)
        tot += F.cross_entropy(m(x).view(-1, cfg.vocab), y.view(-1), ignore_index=-100, reduction='sum').item()
        n += (y != -100).sum().item()
    m.train(); return tot / n

m = LLaMA(cfg)
print('params', sum(p.numel() for p in m.parameters()), cfg, flush=True)
decay = [p for n, p in m.named_parameters() if p.dim() >= 2]
nodecay = [p for n, p in m.named_parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': nodecay, 'weight_decay': 0.0}], lr=LR, betas=(0.9, 0.95))
t0, step, ep, best, hist = time.time(), 0, 0, 1e9, []
run_loss, run_n = 0.0, 0
while step < STEPS:
    ep += 1
    for ids in batches(tr, TOK_PER_BATCH, True):
        if step >= STEPS: break
        frac = step / STEPS
        lr = LR * min(1.0, (step + 1) / WARM) * (LR_MIN / LR + (1 - LR_MIN / LR) * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups: g['lr'] = lr
        x, y = collate(tr, ids)
        loss = F.cross_entropy(m(x).view(-1, cfg.vocab), y.view(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True); loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step()
        step += 1; run_loss += loss.item(); run_n += 1
        if step % EVAL_EVERY == 0 or step == STEPS:
            # Refit mode has no held-out loss: every step is "best", so the last one is kept.
            h = loss_on(m, ho) if ho else -step; tl = run_loss / run_n; run_loss, run_n = 0.0, 0
            hist.append(dict(step=step, epoch=ep, sec=round(time.time() - t0), train=round(tl, 4), held_out=round(h, 4)))
            tag = ''
            if h < best:
                best, tag = h, ' *best*'
                torch.save({'model': m.state_dict(), 'cfg': cfg.__dict__, 'step': step, 'epoch': ep, 'held_out': h}, OUT)
            held = f'held-out {h:.4f} (ppl {math.exp(h):.2f}){tag}' if ho else 'refit: no held-out'
            print(f'step {step} ep {ep} t {time.time() - t0:.0f}s lr {lr:.2e} train {tl:.4f} {held}', flush=True)
ck = torch.load(OUT); ck['history'] = hist; ck['steps'] = STEPS; ck['train_sec'] = time.time() - t0
torch.save(ck, OUT)
print('BEST', {k: v for k, v in ck.items() if k not in ('model', 'history')}, flush=True)
