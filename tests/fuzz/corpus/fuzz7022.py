# model fuzz7022, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = F.linear((x / torch.exp(torch.tanh(torch.tensor(0.10000000000000001)))), t["v1.weight"], t["v1.bias"])
    p1 = t["p1"]
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        return h
    v2 = net1((x - p1))
    v3 = (-v2)
    p2 = t["p2"]
    v4 = (torch.sqrt((torch.abs(x) + torch.tensor(0.5))) + p2)
    v5 = torch.tanh(torch.log(((v4 * v4) + torch.tensor(1))))
    v6 = F.gelu(v4)
    def net2(h):
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        return h
    v7 = F.linear(net2(v2), t["v7.weight"], t["v7.bias"])
    p3 = t["p3"]
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.sigmoid(h)
        h = torch.tanh(h)
        h = F.linear(h, t["net3.3.weight"], t["net3.3.bias"])
        h = F.silu(h)
        h = F.linear(h, t["net3.5.weight"], t["net3.5.bias"])
        h = torch.tanh(h)
        return h
    v8 = net3(torch.matmul(torch.tanh(v7), p3))
    v9 = net2(net1(v4))
    def net4(h):
        h = F.linear(h, t["net4.0.weight"], t["net4.0.bias"])
        h = F.linear(h, t["net4.1.weight"], t["net4.1.bias"])
        return h
    logits = net4(v5)
    return F.nll_loss(F.log_softmax(logits, -1), y) + torch.mean((v9 * v9))
