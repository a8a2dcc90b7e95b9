# model fuzz7008, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = F.linear(net1(x), t["v1.weight"], t["v1.bias"])
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.sigmoid(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.5.weight"], t["net2.5.bias"])
        return h
    z = net2(v1)
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.01) * torch.sum(torch.tanh(x))) + (torch.tensor(0.10000000000000001) * torch.sum(v1))
