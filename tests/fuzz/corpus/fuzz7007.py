# model fuzz7007, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = F.log_softmax(torch.relu((y / (torch.sigmoid(y) + torch.tensor(0.5)))), -1)
    v2 = torch.exp(torch.tanh((-torch.log((torch.sigmoid(v1) + torch.tensor(0.5))))))
    v3 = F.log_softmax(torch.tanh(x), -1)
    v4 = torch.softmax(v2, -1)
    v5 = (y + (-v4))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        return h
    v6 = net1(v5)
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = F.gelu(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.tanh(h)
        h = F.gelu(h)
        h = F.linear(h, t["net2.5.weight"], t["net2.5.bias"])
        return h
    z = net2(v6)
    return F.mse_loss(z, y) + (torch.tensor(0.10000000000000001) * torch.mean((v3 * v3))) + (torch.tensor(0.01) * torch.mean((v3 * v3)))
