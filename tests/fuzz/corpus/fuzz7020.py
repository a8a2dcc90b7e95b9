# model fuzz7020, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    p1 = t["p1"]
    v1 = (p1 + (x / ((x * x) + torch.tensor(1))))
    v2 = torch.softmax(torch.sigmoid(v1), -1)
    v3 = torch.relu(F.linear(v2, t["v3.weight"], t["v3.bias"]))
    logits = F.linear(v3, t["logits.weight"], t["logits.bias"])
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
