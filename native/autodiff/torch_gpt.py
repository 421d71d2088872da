"""Export small PyTorch GPTs that end in a cross-entropy loss to ONNX, with PyTorch's own gradients.

Used by torch.test.ts to check Nashlab's autodiff against an independent implementation:
    /usr/bin/python3 torch_gpt.py OUT_DIR
writes OUT_DIR/<variant>.onnx and OUT_DIR/<variant>.json (inputs, loss, gradients by parameter name)
for a GPT-2-style model (opset 17: LayerNormalization op; opset 14: LayerNorm decomposed) and a
Llama-style one (RMSNorm, SwiGLU, no biases, untied head; opset 15).
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, D, LAYERS, HEADS, T, B = 17, 16, 2, 2, 8, 2


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Attention(nn.Module):
    def __init__(self, bias):
        super().__init__()
        self.c_attn = nn.Linear(D, 3 * D, bias=bias)
        self.c_proj = nn.Linear(D, D, bias=bias)
        self.register_buffer('mask', torch.tril(torch.ones(T, T)).view(1, 1, T, T))

    def forward(self, x):
        b, t, c = x.size()
        q, k, v = self.c_attn(x).split(D, dim=2)
        q = q.view(b, t, HEADS, c // HEADS).transpose(1, 2)
        k = k.view(b, t, HEADS, c // HEADS).transpose(1, 2)
        v = v.view(b, t, HEADS, c // HEADS).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float('-inf'))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.c_proj(y)


class Mlp(nn.Module):
    def __init__(self, swiglu):
        super().__init__()
        self.swiglu = swiglu
        if swiglu:
            self.gate = nn.Linear(D, 3 * D, bias=False)
            self.up = nn.Linear(D, 3 * D, bias=False)
            self.down = nn.Linear(3 * D, D, bias=False)
        else:
            self.c_fc = nn.Linear(D, 4 * D)
            self.c_proj = nn.Linear(4 * D, D)

    def forward(self, x):
        if self.swiglu:
            return self.down(F.silu(self.gate(x)) * self.up(x))
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, llama):
        super().__init__()
        norm = (lambda: RMSNorm(D)) if llama else (lambda: nn.LayerNorm(D))
        self.ln_1 = norm()
        self.attn = Attention(bias=not llama)
        self.ln_2 = norm()
        self.mlp = Mlp(swiglu=llama)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, llama):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, D)
        self.wpe = nn.Embedding(T, D)
        self.h = nn.ModuleList([Block(llama) for _ in range(LAYERS)])
        self.ln_f = RMSNorm(D) if llama else nn.LayerNorm(D)
        self.lm_head = nn.Linear(D, VOCAB, bias=False)
        if not llama:
            self.lm_head.weight = self.wte.weight  # tied
        for name, p in self.named_parameters():
            # Distinct values everywhere: the exporter merges initializers with equal contents.
            if p.dim() >= 2:
                nn.init.normal_(p, std=0.3)
            elif name.endswith('bias'):
                nn.init.normal_(p, std=0.1)
            else:
                nn.init.normal_(p, mean=1.0, std=0.1)

    def forward(self, idx, targets):
        t = idx.size(1)
        pos = torch.arange(0, t, dtype=torch.long).unsqueeze(0)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)


def export(name, llama, opset, out_dir):
    torch.manual_seed(0)
    model = Gpt(llama).eval()
    idx = torch.randint(0, VOCAB, (B, T))
    targets = torch.randint(0, VOCAB, (B, T))
    targets[0, 2] = -1
    loss = model(idx, targets)
    model.zero_grad()
    loss.backward()
    torch.onnx.export(
        model, (idx, targets), f'{out_dir}/{name}.onnx', opset_version=opset,
        input_names=['input_ids', 'targets'], output_names=['loss'], do_constant_folding=False,
    )
    reference = {
        'input_ids': idx.flatten().tolist(),
        'targets': targets.flatten().tolist(),
        'shape': [B, T],
        'loss': loss.item(),
        'gradients': {n: p.grad.flatten().tolist() for n, p in model.named_parameters()},
    }
    with open(f'{out_dir}/{name}.json', 'w') as f:
        json.dump(reference, f)


if __name__ == '__main__':
    out = sys.argv[1]
    export('gpt2_opset17', llama=False, opset=17, out_dir=out)
    export('gpt2_opset14', llama=False, opset=14, out_dir=out)
    export('llama_opset15', llama=True, opset=15, out_dir=out)
    print('ok')
