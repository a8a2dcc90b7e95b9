# model fuzz7018, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = (torch.tensor(1.5) - (x / torch.exp(torch.tanh(x))))
    p1 = t["p1"]
    v2 = F.gelu(torch.relu((p1 + torch.sqrt((torch.abs((-x)) + torch.tensor(0.5))))))
    v3 = torch.mean(torch.softmax(F.gelu(torch.relu(v2)), -1))
    v4 = (-x)
    v5 = (-torch.exp(torch.tanh(v4)))
    v6 = torch.sqrt((torch.abs((p1 + (p1 + p1))) + torch.tensor(0.5)))
    v7 = torch.mean(F.leaky_relu((v6 + p1)))
    def net1(h):
        h = F.avg_pool2d(h, 1, 2, 0)
        h = F.log_softmax(h, -1)
        h = F.max_pool2d(h, 3, 1, 0, 1)
        h = torch.relu(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.sigmoid(h)
        return h
    v8 = F.silu(torch.sigmoid(torch.softmax(torch.tanh(net1(x)), -1)))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        return h
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net3.2.weight"], t["net3.2.bias"])
        h = F.linear(h, t["net3.3.weight"], t["net3.3.bias"])
        h = torch.relu(h)
        return h
    v9 = torch.sqrt((torch.abs(net3(net2(v8))) + torch.tensor(0.5)))
    def net4(h):
        h = torch.sigmoid(h)
        h = F.linear(h, t["net4.1.weight"], t["net4.1.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net4.3.weight"], t["net4.3.bias"])
        h = F.log_softmax(h, -1)
        return h
    v10 = torch.softmax(net4((v7 + (v3 + torch.softmax(F.leaky_relu(v9), -1)))), -1)
    p2 = t["p2"]
    z = torch.matmul(torch.flatten(v4, 1), p2)
    return F.binary_cross_entropy_with_logits(z, y) + torch.sum(v5)
