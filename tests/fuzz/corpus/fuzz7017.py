# model fuzz7017, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.clamp(torch.exp(torch.tanh(x)), -0.5, 0.75)
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = F.gelu(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        return h
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        return h
    v2 = net2(net1(F.silu(v1)))
    logits = F.linear(v2, t["logits.weight"], t["logits.bias"])
    return F.cross_entropy(logits, y)
