# model fuzz7021, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = torch.softmax(net1((x / torch.exp(torch.tanh(x)))), -1)
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        h = torch.tanh(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        return h
    logits = net2(v1)
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.mean((x * x))) + torch.mean(v1)
