# model fuzz7009, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.tanh(h)
        return h
    v1 = net1(x)
    v2 = (x * x)
    v3 = net1(x)
    p1 = t["p1"]
    v4 = torch.sum((p1 + v3))
    v5 = torch.tanh(v4)
    return F.cross_entropy(F.linear(torch.flatten(x, 1), t["loss.weight"], t["loss.bias"]), y)
