# model fuzz7026, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = (x - x)
    v2 = (-x)
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = F.elu(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.6.weight"], t["net1.6.bias"])
        return h
    def net2(h):
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.5.weight"], t["net2.5.bias"])
        return h
    v3 = net2(net1((v2 / (torch.sigmoid(v1) + torch.tensor(0.5)))))
    v4 = torch.mean(F.silu((v3 / ((v3 * v3) + torch.tensor(1)))))
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = F.log_softmax(h, -1)
        h = torch.relu(h)
        h = F.linear(h, t["net3.3.weight"], t["net3.3.bias"])
        return h
    z = net3(v2)
    return F.binary_cross_entropy_with_logits(z, y)
