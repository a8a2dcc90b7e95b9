# model fuzz7013, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.elu(h)
        return h
    v1 = (-net1(torch.softmax(x, -1)))
    p1 = t["p1"]
    v2 = torch.sum(torch.matmul(F.silu(F.leaky_relu(v1)), p1))
    v3 = F.elu(F.linear(x, t["v3.weight"], t["v3.bias"]))
    v4 = (x - F.leaky_relu(torch.relu(x)))
    v5 = torch.sum(torch.softmax(v4, -1))
    v6 = torch.sqrt((torch.abs(v3) + torch.tensor(0.5)))
    p2 = t["p2"]
    def net2(h):
        h = torch.tanh(h)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.tanh(h)
        h = torch.relu(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.6.weight"], t["net2.6.bias"])
        h = torch.sigmoid(h)
        return h
    v7 = torch.sum(net2(F.linear(torch.matmul(v6, p2), t["v7.weight"], t["v7.bias"])))
    return F.cross_entropy(F.linear(x, t["loss.weight"], t["loss.bias"]), y) + (torch.tensor(0.10000000000000001) * torch.mean((v1 * v1)))
