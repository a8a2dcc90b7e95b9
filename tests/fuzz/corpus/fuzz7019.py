# model fuzz7019, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = torch.matmul(torch.flatten(x, 1), p1)
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.relu(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        return h
    v2 = torch.sigmoid(torch.softmax(net1((x * x)), -1))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.tanh(h)
        return h
    v3 = net2(F.linear(torch.softmax(v2, -1), t["v3.weight"], t["v3.bias"]))
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        return h
    z = net3(torch.flatten(x, 1))
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.10000000000000001) * torch.sum(v1)) + torch.mean(v3)
