# model fuzz7014, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = F.conv2d(h, t["net1.0.weight"], None, 2, 0, 1, 1)
        h = F.batch_norm(h, None, None, t["net1.1.weight"], t["net1.1.bias"], True, 0.1, 0.1)
        h = F.conv2d(h, t["net1.2.weight"], t["net1.2.bias"], 1, 1, 1, 1)
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = torch.sqrt((torch.abs(net1(x)) + torch.tensor(0.5)))
    v2 = F.elu(v1)
    p1 = t["p1"]
    v3 = torch.sum(torch.sigmoid(torch.matmul(F.silu(v2), p1)))
    p2 = t["p2"]
    v4 = torch.sum((torch.flatten((p2 * x), 1) / (torch.sigmoid(v3) + torch.tensor(0.5))))
    v5 = (x - (x / ((x * x) + torch.tensor(1))))
    def net2(h):
        h = torch.relu(h)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.tanh(h)
        h = torch.tanh(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        return h
    v6 = net2(torch.tanh(torch.flatten(v5, 1)))
    return torch.mean(((v6 - y) * (v6 - y))) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
