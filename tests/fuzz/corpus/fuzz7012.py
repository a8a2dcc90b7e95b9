# model fuzz7012, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = F.max_pool2d(h, 1, 1, 0, 1)
        h = torch.relu(h)
        h = F.max_pool2d(h, 1, 1, 0, 1)
        h = torch.flatten(h, 1)
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.7.weight"], t["net1.7.bias"])
        return h
    v1 = net1(torch.sqrt((torch.abs(x) + torch.tensor(0.5))))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = F.silu(h)
        h = F.elu(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net2.5.weight"], t["net2.5.bias"])
        h = torch.relu(h)
        return h
    v2 = net2(F.linear(torch.softmax(v1, -1), t["v2.weight"], t["v2.bias"]))
    def net3(h):
        h = F.conv2d(h, t["net3.0.weight"], t["net3.0.bias"], 1, 0, 2, 3)
        h = F.batch_norm(h, None, None, t["net3.1.weight"], t["net3.1.bias"], True, 0.1, 0.1)
        h = torch.tanh(h)
        h = F.avg_pool2d(h, 1, 2, 0)
        h = F.batch_norm(h, None, None, t["net3.4.weight"], t["net3.4.bias"], True, 0.1, 0.1)
        h = torch.sigmoid(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net3.7.weight"], t["net3.7.bias"])
        h = torch.tanh(h)
        return h
    v3 = net3(torch.softmax((-x), -1))
    def net4(h):
        h = torch.flatten(h, 1)
        h = F.leaky_relu(h)
        h = F.linear(h, t["net4.2.weight"], t["net4.2.bias"])
        h = F.gelu(h)
        return h
    def net5(h):
        h = F.linear(h, t["net5.0.weight"], t["net5.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net5.2.weight"], t["net5.2.bias"])
        h = F.linear(h, t["net5.3.weight"], t["net5.3.bias"])
        h = torch.sigmoid(h)
        return h
    v4 = net5(torch.tanh(net4(x)))
    def net6(h):
        h = F.linear(h, t["net6.0.weight"], t["net6.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net6.2.weight"], t["net6.2.bias"])
        return h
    v5 = torch.tanh(net6(v4))
    v6 = F.leaky_relu(x)
    v7 = (F.elu(torch.relu(x)) / ((torch.tensor(3) * torch.tensor(3)) + torch.tensor(1)))
    p1 = t["p1"]
    def net7(h):
        h = F.linear(h, t["net7.0.weight"], t["net7.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net7.2.weight"], t["net7.2.bias"])
        h = torch.sigmoid(h)
        return h
    v8 = net7((-(v1 + p1)))
    p2 = t["p2"]
    def net8(h):
        h = torch.relu(h)
        h = F.linear(h, t["net8.1.weight"], t["net8.1.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net8.3.weight"], t["net8.3.bias"])
        h = F.leaky_relu(h)
        return h
    v9 = F.leaky_relu(torch.sqrt((torch.abs(net8(torch.softmax((p2 - v8), -1))) + torch.tensor(0.5))))
    v10 = (v9 / (torch.sigmoid(v9) + torch.tensor(0.5)))
    def net9(h):
        h = F.linear(h, t["net9.0.weight"], t["net9.0.bias"])
        h = F.linear(h, t["net9.1.weight"], t["net9.1.bias"])
        h = F.silu(h)
        h = F.linear(h, t["net9.3.weight"], t["net9.3.bias"])
        return h
    z = net9(torch.tanh(v10))
    return F.mse_loss(z, y) + torch.mean((v3 * v3))
