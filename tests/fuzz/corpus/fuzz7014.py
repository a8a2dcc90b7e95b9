# model fuzz7014, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.mean(torch.sqrt((torch.abs(torch.relu(x)) + torch.tensor(0.5))))
    v2 = torch.relu(torch.sqrt((torch.abs(x) + torch.tensor(0.5))))
    v3 = torch.mean(((-v2) / ((v1 * v1) + torch.tensor(1))))
    v4 = (torch.tanh((torch.exp(torch.tanh(x)) - v3)) * x)
    p1 = t["p1"]
    def net1(h):
        h = F.avg_pool2d(h, 2, 2, 1)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = F.log_softmax(h, -1)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        return h
    v5 = net1((v4 * (p1 + x)))
    p2 = t["p2"]
    return F.mse_loss(torch.matmul(torch.tanh(v5), p2), y)
