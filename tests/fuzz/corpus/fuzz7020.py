# model fuzz7020, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.sqrt((torch.abs(torch.sigmoid(x)) + torch.tensor(0.5)))
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.sigmoid(h)
        return h
    p1 = t["p1"]
    v2 = (p1 + torch.sqrt((torch.abs(net1(v1)) + torch.tensor(0.5))))
    p2 = t["p2"]
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        return h
    v3 = net2(torch.matmul(v2, p2))
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.2.weight"], t["net3.2.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.4.weight"], t["net3.4.bias"])
        return h
    logits = net3(torch.tanh(v3))
    return F.cross_entropy(logits, y, label_smoothing=0.10000000000000001)
