# model fuzz7030, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = (y + y)
    v2 = torch.sqrt((torch.abs(torch.sqrt((torch.abs(v1) + torch.tensor(0.5)))) + torch.tensor(0.5)))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.sigmoid(h)
        return h
    def net2(h):
        h = F.elu(h)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        return h
    v3 = torch.sum(net2(torch.softmax(net1(y), -1)))
    p1 = t["p1"]
    v4 = (p1 + x)
    p2 = t["p2"]
    z = torch.matmul(torch.flatten(v4, 1), p2)
    return F.mse_loss(z, y) + (torch.tensor(0.01) * torch.mean((p2 * p2)))
