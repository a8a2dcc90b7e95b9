# model fuzz7010, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = (-x)
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.relu(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.6.weight"], t["net1.6.bias"])
        h = torch.sigmoid(h)
        return h
    p1 = t["p1"]
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        return h
    v2 = net2(torch.matmul(net1(x), p1))
    def net3(h):
        h = torch.tanh(h)
        h = F.linear(h, t["net3.1.weight"], t["net3.1.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.3.weight"], t["net3.3.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net3.5.weight"], t["net3.5.bias"])
        return h
    z = net3(torch.flatten(x, 1))
    return F.binary_cross_entropy_with_logits(z, y)
