# model fuzz7003, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.elu(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = F.silu(h)
        return h
    v1 = (-net1(torch.sigmoid(x)))
    p1 = t["p1"]
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = F.silu(h)
        h = torch.relu(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        return h
    v2 = net2((p1 * (-v1)))
    v3 = (-F.linear(x, t["v3.weight"], t["v3.bias"]))
    logits = F.linear(v3, t["logits.weight"], t["logits.bias"])
    return F.nll_loss(F.log_softmax(logits, -1), y) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
