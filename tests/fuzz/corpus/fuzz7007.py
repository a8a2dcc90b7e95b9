# model fuzz7007, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.tanh(h)
        return h
    v1 = (-net1(net1(y)))
    v2 = torch.relu(torch.sigmoid(net1(y)))
    v3 = torch.sigmoid(torch.log((torch.sigmoid(v2) + torch.tensor(0.5))))
    v4 = torch.exp(torch.sigmoid(F.linear(v3, t["v4.weight"], t["v4.bias"])))
    v5 = torch.mean(torch.log((torch.sigmoid(v4) + torch.tensor(0.5))))
    v6 = (x / torch.exp(torch.tanh(x)))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        h = torch.relu(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.5.weight"], t["net2.5.bias"])
        return h
    z = net2(v6)
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.01) * torch.mean((v1 * v1))) + (torch.tensor(0.01) * torch.mean((v5 * v5)))
