# model fuzz7020, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.tanh(F.linear(x, t["v1.weight"], t["v1.bias"]))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.relu(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.sigmoid(h)
        return h
    v2 = torch.tanh(net1(torch.softmax(x, -1)))
    v3 = torch.sum(F.linear(v2, t["v3.weight"], t["v3.bias"]))
    logits = F.linear(v2, t["logits.weight"], t["logits.bias"])
    return F.cross_entropy(logits, y) + torch.sum(v3) + torch.mean((logits * logits)) + torch.sum(torch.tanh(v1))
