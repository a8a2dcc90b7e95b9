#!/usr/bin/python3
"""Make the PyTorch fixtures that tests/image/check.sh holds mlc's image layers against.

Usage (needs Debian's python3-torch): /usr/bin/python3 tests/image/make_fixtures.py

For tests/image/cnn.model (conv2d with stride, padding, dilation and groups, batchnorm2d,
relu, overlapping maxpool2d, a 1x1 conv2d without bias, avgpool2d with padding, flatten,
batchnorm1d, linear, cross_entropy), the same network in PyTorch, built after
torch.manual_seed(0), writes next to this script:
    cnn_init.safetensors     its state_dict (running statistics included), a batch of 8
                             inputs "x" [8, 4, 7, 6] and labels "y" [8] (as float)
    cnn_grads.safetensors    after one forward in training mode and loss.backward():
                             "loss", every parameter's gradient under the parameter's name,
                             and the running statistics as that forward updated them
                             (num_batches_tracked as float)
For tests/image/activations.model (gelu, elu, silu, leaky_relu, abs, sqrt, log_softmax),
activations_init.safetensors and activations_grads.safetensors likewise.
For tests/image/frozen.model (batch norms frozen: in eval() mode while the rest trains;
adaptive_avgpool2d to a size that does not divide the input's),
frozen_init.safetensors and frozen_grads.safetensors likewise (the frozen statistics unchanged).
For tests/image/algebra.model (size-1 broadcasting, subscripts, transpose, permute, reshape, concat,
sum/mean/max along an axis, pow, clamp, gelu's tanh form, flatten(start_dim)),
algebra_init.safetensors and algebra_grads.safetensors likewise.
For tests/image/losses.model (nll, mse, l1, bce, cross_entropy with label smoothing and
probability targets), losses_init.safetensors and losses_grads.safetensors likewise.
For tests/image/twice.model (a conv2d and batchnorm2d net called twice, the second time
on half the first call's output), twice_init.safetensors and twice_grads.safetensors the same
way: both calls update the running statistics, as calling a PyTorch module twice does.
    cnn_eval.safetensors     before that, in evaluation mode (running statistics, no
                             dropout): its output ("outputs": the logits) and "loss"
check.sh runs `NAME --load NAME_init.safetensors --inputs NAME_init.safetensors --grads OUT`
and compares OUT with NAME_grads.safetensors, and cnn's --outputs with cnn_eval.safetensors. One thread, so reruns give the same bytes.
"""
import json
import os
import struct

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


def write_safetensors(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name in sorted(tensors):
        n = tensors[name].numel() * 4
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in sorted(tensors):
            f.write(tensors[name].detach().contiguous().float().numpy().astype("<f4").tobytes())


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    body = nn.Sequential(
        nn.Conv2d(4, 6, (3, 2), stride=(1, 2), padding=(1, 0), dilation=(1, 2), groups=2),
        nn.BatchNorm2d(6),
        nn.ReLU(),
        nn.MaxPool2d(2, stride=1),
        nn.Conv2d(6, 4, 1, bias=False),
        nn.AvgPool2d(2, padding=1),
        nn.Flatten(),
        nn.BatchNorm1d(16),
        nn.Linear(16, 5),
    )
    # running statistics away from their defaults, so loading them is checked too
    with torch.no_grad():
        for m in body:
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
                m.num_batches_tracked.fill_(3)
    x = torch.randn(8, 4, 7, 6)
    y = torch.randint(0, 5, (8,))
    init = {"body." + k: v.clone() for k, v in body.state_dict().items()}
    write_safetensors(os.path.join(HERE, "cnn_init.safetensors"),
                      dict(init, x=x, y=y.float()))
    body.eval()
    with torch.no_grad():
        logits = body(x)
        write_safetensors(os.path.join(HERE, "cnn_eval.safetensors"),
                          {"outputs": logits, "loss": nn.functional.cross_entropy(logits, y)})
    body.train()
    loss = nn.functional.cross_entropy(body(x), y)
    loss.backward()
    out = {"loss": loss.detach()}
    for k, p in body.named_parameters():
        out["body." + k] = p.grad
    for k, v in body.state_dict().items():
        if "running" in k or "num_batches" in k:
            out["body." + k] = v.clone()
    write_safetensors(os.path.join(HERE, "cnn_grads.safetensors"), out)
    twice()
    activations()
    losses()
    algebra()
    frozen()


def losses():
    """tests/image/losses.model in PyTorch."""
    F = nn.functional
    torch.manual_seed(3)
    w = torch.randn(5, 3, requires_grad=True)
    v = torch.randn(5, 3, requires_grad=True)
    x = torch.randn(6, 5)
    y = torch.randint(0, 3, (6,))
    write_safetensors(os.path.join(HERE, "losses_init.safetensors"),
                      {"w": w.detach().clone(), "v": v.detach().clone(), "x": x, "y": y.float()})
    z = x @ w
    p = torch.softmax(x @ v, -1)
    a = F.nll_loss(F.log_softmax(z, -1), y) + F.cross_entropy(z, y, label_smoothing=0.1)
    b = F.cross_entropy(z, p) + F.cross_entropy(z, p, label_smoothing=0.3)
    loss = (a + b + F.mse_loss(z, p) + F.l1_loss(z, p * 3)
            + F.binary_cross_entropy(torch.sigmoid(z), p))
    loss.backward()
    write_safetensors(os.path.join(HERE, "losses_grads.safetensors"),
                      {"loss": loss.detach(), "w": w.grad, "v": v.grad})


def frozen():
    """tests/image/frozen.model: two of its batch norms in eval() mode while training, and an
    adaptive average pooling of 5x4 images to 3x3."""
    torch.manual_seed(5)
    body = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.AdaptiveAvgPool2d((3, 3)), nn.Conv2d(4, 2, 1), nn.BatchNorm2d(2),
                         nn.Flatten(), nn.Linear(18, 6), nn.BatchNorm1d(6), nn.Linear(6, 3))
    with torch.no_grad():
        for m in body:
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
                m.num_batches_tracked.fill_(3)
    x = torch.randn(7, 3, 5, 4)
    y = torch.randint(0, 3, (7,))
    init = {"body." + k: v.clone() for k, v in body.state_dict().items()}
    write_safetensors(os.path.join(HERE, "frozen_init.safetensors"), dict(init, x=x, y=y.float()))
    body.train()
    body[1].eval()
    body[8].eval()
    loss = nn.functional.cross_entropy(body(x), y)
    loss.backward()
    out = {"loss": loss.detach()}
    for k, p in body.named_parameters():
        out["body." + k] = p.grad
    for k, v in body.state_dict().items():
        if "running" in k or "num_batches" in k:
            out["body." + k] = v.clone()
    write_safetensors(os.path.join(HERE, "frozen_grads.safetensors"), out)


def algebra():
    """tests/image/algebra.model in PyTorch (a sample's axis a is PyTorch's dim a + 1)."""
    F = nn.functional
    torch.manual_seed(4)
    v = torch.randn(1, 4, requires_grad=True)
    u = torch.randn(3, 1, requires_grad=True)
    q = torch.randn(1, 6, requires_grad=True)
    lin = nn.Linear(32, 5)
    x = torch.randn(6, 3, 4)
    y = torch.randint(0, 5, (6,))
    init = {"v": v.detach().clone(), "u": u.detach().clone(), "q": q.detach().clone(),
            "logits.weight": lin.weight.detach().clone(), "logits.bias": lin.bias.detach().clone()}
    write_safetensors(os.path.join(HERE, "algebra_init.safetensors"), dict(init, x=x, y=y.float()))
    a = x * v + u
    b = (a * a.max(dim=2, keepdim=True).values + a.sum(dim=-1, keepdim=True)) * 0.2
    t = b.transpose(1, 2)
    m = t.reshape(6, 2, -1)
    c = torch.cat([m, m.pow(3), m.clamp(-0.5, 0.7)], dim=2)
    s = c.mean(1) + c.pow(2).sum(1) * 0.1
    p = a.reshape(6, 3, 2, 2).permute(0, 3, 1, 2)
    f = p.flatten(2)
    g = F.gelu(f, approximate="tanh") * q + f.max(dim=-1, keepdim=True).values
    z = a[:, 1:3, -1] + a[:, 0, 1:3] * u[1:, 0]
    logits = lin(torch.cat([g.flatten(1), s, z], dim=1))
    loss = F.cross_entropy(logits, y) + (s * s).mean() * 0.01
    loss.backward()
    write_safetensors(os.path.join(HERE, "algebra_grads.safetensors"),
                      {"loss": loss.detach(), "v": v.grad, "u": u.grad, "q": q.grad,
                       "logits.weight": lin.weight.grad, "logits.bias": lin.bias.grad})


def activations():
    """tests/image/activations.model in PyTorch."""
    F = nn.functional
    torch.manual_seed(2)
    w = torch.randn(6, 6, requires_grad=True)
    lin = nn.Linear(6, 4)
    x = torch.randn(5, 6)
    y = torch.randint(0, 4, (5,))
    init = {"w": w.detach().clone(), "s.weight": lin.weight.detach().clone(),
            "s.bias": lin.bias.detach().clone()}
    write_safetensors(os.path.join(HERE, "activations_init.safetensors"),
                      dict(init, x=x, y=y.float()))
    h = F.leaky_relu(F.silu(F.elu(F.gelu(x @ w))), 0.2)
    r = torch.sqrt(torch.abs(h) + 0.5) + F.leaky_relu(h) + F.gelu(-h)
    s = lin(r)
    loss = -torch.mean(F.log_softmax(s, -1) * s) + F.cross_entropy(F.log_softmax(s, -1), y)
    loss.backward()
    write_safetensors(os.path.join(HERE, "activations_grads.safetensors"),
                      {"loss": loss.detach(), "w": w.grad, "s.weight": lin.weight.grad,
                       "s.bias": lin.bias.grad})


def twice():
    torch.manual_seed(1)
    body = nn.Sequential(nn.Conv2d(2, 2, 3, padding=1), nn.BatchNorm2d(2, momentum=0.3))
    head = nn.Sequential(nn.Flatten(), nn.Linear(40, 3))
    x = torch.randn(6, 2, 5, 4)
    y = torch.randint(0, 3, (6,))
    init = {"body." + k: v.clone() for k, v in body.state_dict().items()}
    init.update({"head." + k: v.clone() for k, v in head.state_dict().items()})
    write_safetensors(os.path.join(HERE, "twice_init.safetensors"), dict(init, x=x, y=y.float()))
    h = body(x)
    loss = nn.functional.cross_entropy(head(body(h * 0.5) + h), y)
    loss.backward()
    out = {"loss": loss.detach()}
    for prefix, net in (("body.", body), ("head.", head)):
        for k, p in net.named_parameters():
            out[prefix + k] = p.grad
    for k, v in body.state_dict().items():
        if "running" in k or "num_batches" in k:
            out["body." + k] = v.clone()
    write_safetensors(os.path.join(HERE, "twice_grads.safetensors"), out)


if __name__ == "__main__":
    main()
