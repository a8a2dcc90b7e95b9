# model fuzz7014, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = F.conv2d(h, t["net1.0.weight"], None, 2, 0, 1, 1)
        h = F.conv2d(h, t["net1.1.weight"], t["net1.1.bias"], 1, 1, 1, 1)
        h = F.silu(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = F.leaky_relu(h)
        h = F.linear(h, t["net1.6.weight"], t["net1.6.bias"])
        h = torch.tanh(h)
        return h
    v1 = torch.relu(net1(x))
    p1 = t["p1"]
    v2 = torch.sum(torch.sigmoid(torch.matmul(F.silu(y), p1)))
    p2 = t["p2"]
    v3 = torch.sum((torch.flatten((p2 * x), 1) / (torch.sigmoid(v2) + torch.tensor(0.5))))
    v4 = (x - (x / ((x * x) + torch.tensor(1))))
    v5 = torch.log((torch.sigmoid(torch.flatten(v4, 1)) + torch.tensor(0.5)))
    def net2(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.tanh(h)
        h = F.leaky_relu(h)
        h = F.linear(h, t["net2.5.weight"], t["net2.5.bias"])
        return h
    return F.mse_loss(net2(v1), y)
