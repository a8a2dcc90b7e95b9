# model fuzz7002, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = F.silu(h)
        return h
    v1 = torch.sigmoid(net1(net1((net1(x) + x)))[:, 1:3])
    v2 = torch.sigmoid(torch.relu(v1))
    p1 = t["p1"]
    v3 = F.linear(((v1 + (((-v2) + p1) * v2)) / torch.exp(torch.tanh(v1))), t["v3.weight"], t["v3.bias"])
    p2 = t["p2"]
    v4 = (torch.softmax(x, -1) * p2)
    v5 = torch.mean(torch.relu(torch.cat([torch.tanh(torch.log(((v4 * v4) + torch.tensor(1)))), v4], 1)))
    p3 = t["p3"]
    v6 = (v5 / (torch.sigmoid(p3) + torch.tensor(0.5)))
    v7 = F.linear(x, t["v7.weight"], t["v7.bias"])
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = F.leaky_relu(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        return h
    return F.binary_cross_entropy_with_logits(net2(v7), y) + (torch.tensor(0.01) * torch.mean((p2 * p2)))
