# model fuzz7015, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = torch.reshape(net1(x), (-1, 2, 2))
    v2 = torch.cat([(torch.tensor(3) * x), x], 1)
    v3 = torch.exp(torch.tanh(F.linear(v2, t["v3.weight"], t["v3.bias"])))
    p1 = t["p1"]
    v4 = torch.softmax(torch.matmul(F.linear(x, t["v4.weight"], t["v4.bias"]), p1), -1)
    v5 = (-v4)
    v6 = (v5 / (torch.sigmoid(v5) + torch.tensor(0.5)))
    v7 = (-torch.sigmoid(net1(v6)))
    v8 = F.linear(v3, t["v8.weight"], t["v8.bias"])
    v9 = torch.cat([v8, torch.tanh(v8)], 1)
    p2 = t["p2"]
    logits = torch.matmul(v7, p2)
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.mean((p2 * p2)))
